// `fold_pruning:` (a top-level sweep key of Foldstack's own; no peer has it): judge a trial on its
// first folds before spending its later ones.
//
//   first_folds (default 1): GateFolds(): the scheduler runs folds 0 .. first_folds - 1 of every
//       trial before any later fold of any trial, so early trials have peers to be judged by;
//   rule (default median):
//       median       - the trial's mean over its done folds must be at least as good as the
//                      median (np.percentile 50) of the comparable trials' means over exactly
//                      those folds;
//       top_fraction - it must rank within the best `fraction` of itself plus the comparable
//                      trials: fewer than ceil(fraction * (n + 1)) of the n comparable trials
//                      strictly better (ties rank with it);
//   fraction (top_fraction only, default 0.5, in (0, 1]);
//   min_trials (default 3): with fewer comparable trials the trial continues.
// "Comparable trials" are the other trials whose jobs on every one of this trial's done folds are
// done, whatever the trial's state now (a trial pruned after its first fold still finished it).
// The rule is checked each time one of the trial's folds finishes, once it has at least
// first_folds done; failing it ends the trial (kStopTrial). Values are the jobs' `value` (the
// objective at the trainer's best epoch).
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_FOLD_PRUNER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_FOLD_PRUNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

enum class FoldRule { kMedian, kTopFraction };

struct FoldPruningOptions {
  int first_folds = 1;
  FoldRule rule = FoldRule::kMedian;
  double fraction = 0.5;
  int min_trials = 3;

  static absl::StatusOr<FoldPruningOptions> Parse(const nlohmann::json& config,
                                                  const std::string& path);
};

class FoldPruner : public Pruner {
 public:
  explicit FoldPruner(FoldPruningOptions options) : options_(options) {}
  PruneDecision OnFoldDone(const StudyView& study, const TrialView& trial, int fold) const override;
  int GateFolds() const override { return options_.first_folds; }

 private:
  FoldPruningOptions options_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_FOLD_PRUNER_H_
