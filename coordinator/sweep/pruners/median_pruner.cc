#include "coordinator/sweep/pruners/median_pruner.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/pruners/prune_math.h"

namespace foldstack::sweep {

absl::StatusOr<MedianOptions> MedianOptions::Parse(const nlohmann::json& config,
                                                   const std::string& path) {
  FS_RETURN_IF_ERROR(
      CheckKeys(config, path,
                {"type", "n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"}));
  MedianOptions options;
  const auto read = [&](const char* key, int64_t min, int* out) -> absl::Status {
    const nlohmann::json& value = Field(config, key);
    if (value.is_null()) return absl::OkStatus();
    FS_ASSIGN_OR_RETURN(const int64_t number, ReadInt(value, JoinPath(path, key), min));
    if (number > 1000000) {
      return ErrorAt(JoinPath(path, key), absl::StrCat("expected at most 1000000, got ", number));
    }
    *out = static_cast<int>(number);
    return absl::OkStatus();
  };
  FS_RETURN_IF_ERROR(read("n_startup_trials", 0, &options.n_startup_trials));
  FS_RETURN_IF_ERROR(read("n_warmup_steps", 0, &options.n_warmup_steps));
  FS_RETURN_IF_ERROR(read("interval_steps", 1, &options.interval_steps));
  FS_RETURN_IF_ERROR(read("n_min_trials", 1, &options.n_min_trials));
  return options;
}

PruneDecision MedianPruner::OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                                    int epoch) const {
  const JobView* job = JobOnFold(trial, fold);
  if (job == nullptr || epoch < 1 || epoch > job->LastEpoch()) return PruneDecision::Continue();

  std::vector<const JobView*> complete;
  for (const JobView* other : OtherJobsOnFold(study, trial, fold)) {
    if (other->state == JobState::kDone) complete.push_back(other);
  }
  if (complete.empty() || static_cast<int>(complete.size()) < options_.n_startup_trials) {
    return PruneDecision::Continue();
  }

  const int step = epoch - 1;
  if (step < options_.n_warmup_steps) return PruneDecision::Continue();
  // Optuna's _is_first_in_interval_step: the job has reported every step 0..step, so the step
  // reported before this one is step - 1 (-1 for the first).
  const int nearest_lower_pruning_step =
      (step - options_.n_warmup_steps) / options_.interval_steps * options_.interval_steps +
      options_.n_warmup_steps;
  if (step - 1 >= nearest_lower_pruning_step) return PruneDecision::Continue();

  std::optional<double> best;  // as a score: bigger is better
  for (int e = 1; e <= epoch; ++e) {
    const std::optional<double> value = job->At(e);
    if (value && (!best || study.objective.Score(*value) > *best)) {
      best = study.objective.Score(*value);
    }
  }
  const std::string where = absl::StrCat("median: epoch ", epoch, " fold ", fold, ": ");
  if (!best) return StopTrial(absl::StrCat(where, "every value so far is NaN"));

  int reported = 0;
  std::vector<double> scores;
  for (const JobView* other : complete) {
    if (other->LastEpoch() < epoch) continue;
    ++reported;
    if (const std::optional<double> value = other->At(epoch)) {
      scores.push_back(study.objective.Score(*value));
    }
  }
  if (reported < options_.n_min_trials || scores.empty()) return PruneDecision::Continue();
  // The median of the scores is the score of the median (the median is symmetric).
  const double median = LinearPercentile(scores, 50.0);
  if (!(*best < median)) return PruneDecision::Continue();
  return StopTrial(absl::StrCat(
      where, "best ", ShowValue(study.objective.Score(*best)), " ", WorseWord(study.objective),
      " median ", ShowValue(study.objective.Score(median)), " of ", scores.size(), " trials"));
}

}  // namespace foldstack::sweep
