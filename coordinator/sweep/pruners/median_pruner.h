// `early_terminate: {type: median}`: Optuna 3.1's MedianPruner (PercentilePruner at 50) per fold.
//
// A job (trial t, fold f) that has reported epoch e is judged at Optuna step e - 1 (Optuna steps
// count from 0, the way `trial.report(value, epoch)` is called in a 0-based training loop, and
// n_warmup_steps assumes that). Optuna's rules, in order:
//   1. "complete trials" = the other trials whose job on fold f is done; none, or fewer than
//      n_startup_trials -> continue;
//   2. step < n_warmup_steps (the first n_warmup_steps epochs) -> continue;
//   3. only the first step of each interval is checked: epochs n_warmup_steps + 1 +
//      j * interval_steps (j = 0, 1, ...);
//   4. the job's best value over epochs 1..e (NaN epochs skipped); every value NaN -> stop;
//   5. the median (np.nanpercentile 50) of the complete jobs' values at epoch e, over those that
//      reported epoch e (a NaN report counts towards n_min_trials but not in the median); fewer
//      than n_min_trials such jobs, or all NaN -> continue;
//   6. best strictly worse than the median -> stop the trial.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_MEDIAN_PRUNER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_MEDIAN_PRUNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

struct MedianOptions {
  int n_startup_trials = 5;
  int n_warmup_steps = 0;
  int interval_steps = 1;
  int n_min_trials = 1;

  // Reads the keys of `config` (a mapping whose `type` is median) at key path `path`.
  static absl::StatusOr<MedianOptions> Parse(const nlohmann::json& config, const std::string& path);
};

class MedianPruner : public Pruner {
 public:
  explicit MedianPruner(MedianOptions options) : options_(options) {}
  PruneDecision OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                        int epoch) const override;

 private:
  MedianOptions options_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_MEDIAN_PRUNER_H_
