#include "coordinator/sweep/pruners/fold_pruner.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/pruners/prune_math.h"

namespace foldstack::sweep {
namespace {

// The mean score of `trial`'s job values over `folds`, when every one is done with a value.
std::optional<double> MeanScore(const TrialView& trial, const std::vector<int>& folds,
                                const Objective& objective) {
  double sum = 0;
  for (const int fold : folds) {
    const JobView* job = JobOnFold(trial, fold);
    if (job == nullptr || job->state != JobState::kDone || !job->value) return std::nullopt;
    sum += objective.Score(*job->value);
  }
  return sum / static_cast<double>(folds.size());
}

}  // namespace

absl::StatusOr<FoldPruningOptions> FoldPruningOptions::Parse(const nlohmann::json& config,
                                                             const std::string& path) {
  FS_RETURN_IF_ERROR(RequireObject(config, path));
  FS_RETURN_IF_ERROR(CheckKeys(config, path, {"first_folds", "rule", "fraction", "min_trials"}));
  FoldPruningOptions options;
  if (const nlohmann::json& v = Field(config, "first_folds"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(const int64_t n, ReadInt(v, JoinPath(path, "first_folds"), 1));
    if (n > 1000)
      return ErrorAt(JoinPath(path, "first_folds"), absl::StrCat("expected at most 1000, got ", n));
    options.first_folds = static_cast<int>(n);
  }
  if (const nlohmann::json& v = Field(config, "min_trials"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(const int64_t n, ReadInt(v, JoinPath(path, "min_trials"), 1));
    if (n > 1000000)
      return ErrorAt(JoinPath(path, "min_trials"),
                     absl::StrCat("expected at most 1000000, got ", n));
    options.min_trials = static_cast<int>(n);
  }
  if (const nlohmann::json& v = Field(config, "rule"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(const std::string rule,
                        ReadString(v, JoinPath(path, "rule"), {"median", "top_fraction"}));
    options.rule = rule == "median" ? FoldRule::kMedian : FoldRule::kTopFraction;
  }
  if (const nlohmann::json& v = Field(config, "fraction"); !v.is_null()) {
    if (options.rule != FoldRule::kTopFraction) {
      return ErrorAt(JoinPath(path, "fraction"), "is only used with rule: top_fraction");
    }
    FS_ASSIGN_OR_RETURN(options.fraction, ReadNumber(v, JoinPath(path, "fraction")));
    if (!(options.fraction > 0 && options.fraction <= 1)) {
      return ErrorAt(JoinPath(path, "fraction"),
                     absl::StrCat("expected a number in (0, 1], got ", v.dump()));
    }
  }
  return options;
}

PruneDecision FoldPruner::OnFoldDone(const StudyView& study, const TrialView& trial,
                                     int fold) const {
  std::vector<int> folds;
  for (size_t f = 0; f < trial.jobs.size(); ++f) {
    if (trial.jobs[f].state == JobState::kDone) folds.push_back(static_cast<int>(f));
  }
  if (static_cast<int>(folds.size()) < options_.first_folds) return PruneDecision::Continue();
  const Objective& objective = study.objective;
  const std::optional<double> mine = MeanScore(trial, folds, objective);
  if (!mine) return PruneDecision::Continue();

  std::vector<double> others;
  for (const TrialView& other : study.trials) {
    if (other.id == trial.id) continue;
    if (const std::optional<double> mean = MeanScore(other, folds, objective)) {
      others.push_back(*mean);
    }
  }
  if (static_cast<int>(others.size()) < options_.min_trials) return PruneDecision::Continue();

  const std::string where = absl::StrCat("fold rule: folds {", absl::StrJoin(folds, ","),
                                         "}: ", ShowValue(objective.Score(*mine)), " ");
  if (options_.rule == FoldRule::kMedian) {
    const double median = LinearPercentile(others, 50.0);
    if (!(*mine < median)) return PruneDecision::Continue();
    return StopTrial(absl::StrCat(where, WorseWord(objective), " median ",
                                  ShowValue(objective.Score(median)), " of ", others.size(),
                                  " trials"));
  }
  int better = 0;
  for (const double other : others) better += other > *mine ? 1 : 0;
  const double field = static_cast<double>(others.size() + 1);
  // The number of places kept; the small slack keeps 0.5 * 4 at 2 despite rounding.
  const int keep = std::max(1, static_cast<int>(std::ceil(options_.fraction * field - 1e-9)));
  if (better < keep) return PruneDecision::Continue();
  return StopTrial(absl::StrCat(where, "ranks ", better + 1, " of ", others.size() + 1,
                                ", outside the best ", ShowValue(options_.fraction), " (", keep,
                                ")"));
}

}  // namespace foldstack::sweep
