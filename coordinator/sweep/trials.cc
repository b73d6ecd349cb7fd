#include "coordinator/sweep/trials.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/samplers/grid.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

absl::Status InFile(const SweepSpec& spec, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(spec.file_name, ": ", status.message()));
}

absl::StatusOr<int64_t> BudgetOf(const SweepSpec& spec) {
  if (spec.count > kMaxTrialsPerSweep) {
    return ErrorAt("count", absl::StrCat("expected at most ", kMaxTrialsPerSweep));
  }
  if (spec.method != "grid") {
    if (spec.count < 1) return ErrorAt("count", absl::StrCat("method ", spec.method, " needs count >= 1"));
    return spec.count;
  }
  absl::StatusOr<std::unique_ptr<GridSampler>> grid = GridSampler::Create(spec.parameters);
  if (!grid.ok()) return grid.status();
  if (spec.count > 0) return std::min<int64_t>(spec.count, (*grid)->size());
  if ((*grid)->size() > kMaxTrialsPerSweep) {
    return ErrorAt("parameters", absl::StrCat("the grid has more than ", kMaxTrialsPerSweep,
                                              " trials; use fewer values or set count"));
  }
  return (*grid)->size();
}

}  // namespace

absl::StatusOr<json> CompleteTrial(const SweepSpec& spec, const json& params) {
  absl::StatusOr<json> complete = common::CompleteSettings(params);
  if (!complete.ok()) return InFile(spec, ErrorAt("parameters", std::string(complete.status().message())));
  return complete;
}

absl::StatusOr<int64_t> TrialBudget(const SweepSpec& spec) {
  absl::StatusOr<int64_t> budget = BudgetOf(spec);
  if (!budget.ok()) return InFile(spec, budget.status());
  return budget;
}

absl::StatusOr<std::vector<json>> ExpandTrials(const SweepSpec& spec) {
  if (spec.method != "grid" && spec.method != "random") {
    return InFile(spec, ErrorAt("method", absl::StrCat("expected grid or random to expand trials "
                                                       "up front; got \"", spec.method, "\"")));
  }
  absl::StatusOr<int64_t> budget = TrialBudget(spec);
  if (!budget.ok()) return budget.status();
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      MakeSampler(spec.method, spec.parameters, spec.sampler_options);
  if (!sampler.ok()) return InFile(spec, sampler.status());
  StudyView empty;
  empty.k = spec.folds.k;
  absl::StatusOr<std::vector<json>> trials =
      (*sampler)->Ask(empty, spec.seed, static_cast<int>(*budget));
  if (!trials.ok()) return InFile(spec, trials.status());
  for (json& trial : *trials) {
    absl::StatusOr<json> complete = CompleteTrial(spec, trial);
    if (!complete.ok()) return complete.status();
    trial = *std::move(complete);
  }
  return trials;
}

}  // namespace foldstack::sweep
