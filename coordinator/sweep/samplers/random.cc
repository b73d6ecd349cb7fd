#include "coordinator/sweep/samplers/random.h"

#include "absl/strings/str_cat.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/param_sampling.h"

namespace foldstack::sweep {
namespace {

constexpr int kMaxRedraws = 1000;

absl::StatusOr<nlohmann::json> DrawValid(const ParamSpec& param, PortableRng& rng) {
  // Names that are no trainer setting (benchmarks' test functions) take any value.
  if (common::FindSetting(param.name) == nullptr) return DrawValue(param, rng);
  absl::Status last;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    absl::StatusOr<nlohmann::json> value = common::CanonicalSetting(param.name, DrawValue(param, rng));
    if (value.ok()) return value;
    last = value.status();
  }
  return ErrorAt("parameters." + param.name,
                 absl::StrCat(kMaxRedraws, " draws in a row fell outside the setting (",
                              last.message(), "); narrow the distribution"));
}

}  // namespace

absl::StatusOr<nlohmann::json> DrawTrial(const SearchSpace& space, PortableRng& rng) {
  nlohmann::json trial = nlohmann::json::object();
  for (const auto& [name, param] : space) {
    absl::StatusOr<nlohmann::json> value = DrawValid(param, rng);
    if (!value.ok()) return value.status();
    trial[name] = *std::move(value);
  }
  return trial;
}

absl::StatusOr<std::vector<nlohmann::json>> RandomSampler::Ask(const StudyView& study,
                                                               uint64_t seed, int n) {
  PortableRng rng(seed);
  for (size_t i = 0; i < study.trials.size(); ++i) {
    absl::StatusOr<nlohmann::json> skipped = DrawTrial(space_, rng);
    if (!skipped.ok()) return skipped.status();
  }
  std::vector<nlohmann::json> trials;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<nlohmann::json> trial = DrawTrial(space_, rng);
    if (!trial.ok()) return trial.status();
    trials.push_back(*std::move(trial));
  }
  return trials;
}

}  // namespace foldstack::sweep
