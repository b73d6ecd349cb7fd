#include "coordinator/sweep/trials.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/param_sampling.h"
#include "coordinator/sweep/portable_random.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

constexpr int kMaxRedraws = 1000;

absl::StatusOr<std::vector<json>> GridTrials(const SweepSpec& spec) {
  std::vector<std::string> names;
  std::vector<std::vector<json>> grids;
  int64_t total = 1;
  for (const auto& [name, param] : spec.parameters) {
    absl::StatusOr<std::vector<json>> values = GridValues(param);
    if (!values.ok()) return values.status();
    names.push_back(name);
    total *= static_cast<int64_t>(values->size());  // each <= 1e5, checked below
    grids.push_back(*std::move(values));
    if (total > kMaxTrialsPerSweep && spec.count == 0) {
      return ErrorAt("parameters", absl::StrCat("the grid has more than ", kMaxTrialsPerSweep,
                                                " trials; use fewer values or set count"));
    }
    total = std::min<int64_t>(total, kMaxTrialsPerSweep + 1);
  }
  const int64_t wanted = spec.count > 0 ? std::min<int64_t>(spec.count, total) : total;
  std::vector<json> trials;
  for (int64_t t = 0; t < wanted; ++t) {
    // Mixed-radix digits of t, the last parameter being the least significant.
    json trial = json::object();
    int64_t rest = t;
    for (size_t i = names.size(); i-- > 0;) {
      const int64_t radix = static_cast<int64_t>(grids[i].size());
      trial[names[i]] = grids[i][rest % radix];
      rest /= radix;
    }
    trials.push_back(std::move(trial));
  }
  return trials;
}

absl::StatusOr<json> DrawValid(const ParamSpec& param, PortableRng& rng) {
  absl::Status last;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    absl::StatusOr<json> value = common::CanonicalSetting(param.name, DrawValue(param, rng));
    if (value.ok()) return value;
    last = value.status();
  }
  return ErrorAt("parameters." + param.name,
                 absl::StrCat(kMaxRedraws, " draws in a row fell outside the setting (",
                              last.message(), "); narrow the distribution"));
}

absl::StatusOr<std::vector<json>> RandomTrials(const SweepSpec& spec) {
  if (spec.count < 1) return ErrorAt("count", "method random needs count >= 1");
  PortableRng rng(spec.seed);
  std::vector<json> trials;
  for (int t = 0; t < spec.count; ++t) {
    json trial = json::object();
    for (const auto& [name, param] : spec.parameters) {
      absl::StatusOr<json> value = DrawValid(param, rng);
      if (!value.ok()) return value.status();
      trial[name] = *std::move(value);
    }
    trials.push_back(std::move(trial));
  }
  return trials;
}

absl::StatusOr<std::vector<json>> PartialTrials(const SweepSpec& spec) {
  if (spec.count > kMaxTrialsPerSweep) {
    return ErrorAt("count", absl::StrCat("expected at most ", kMaxTrialsPerSweep));
  }
  if (spec.method == "grid") return GridTrials(spec);
  if (spec.method == "random") return RandomTrials(spec);
  return ErrorAt("method", absl::StrCat("expected one of grid, random; got \"", spec.method, "\""));
}

}  // namespace

absl::StatusOr<std::vector<json>> ExpandTrials(const SweepSpec& spec) {
  absl::StatusOr<std::vector<json>> trials = PartialTrials(spec);
  absl::Status status = trials.status();
  if (status.ok()) {
    for (json& trial : *trials) {
      absl::StatusOr<json> complete = common::CompleteSettings(trial);
      if (!complete.ok()) {
        status = ErrorAt("parameters", std::string(complete.status().message()));
        break;
      }
      trial = *std::move(complete);
    }
  }
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(spec.file_name, ": ", status.message()));
  }
  return trials;
}

}  // namespace foldstack::sweep
