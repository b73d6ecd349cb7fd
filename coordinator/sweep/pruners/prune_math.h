// Small pieces the pruners share: numpy's percentile, the other trials' jobs on one fold, and
// the wording of a stop.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNE_MATH_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNE_MATH_H_

#include <optional>
#include <string>
#include <vector>

#include "coordinator/sweep/objective.h"
#include "coordinator/sweep/pruner.h"
#include "coordinator/sweep/study_view.h"

namespace foldstack::sweep {

// np.percentile(values, q) with numpy's default ("linear") method: the sorted values are
// interpolated at position q / 100 * (n - 1). `values` must be finite (filter NaN first, which is
// what np.nanpercentile does); NaN when it is empty. q in [0, 100].
double LinearPercentile(std::vector<double> values, double q);

// The jobs of every trial other than `trial` on `fold`, in trial order (trials without that fold
// are skipped). The k-fold rule: pruners compare a job only with other trials' jobs on its fold.
std::vector<const JobView*> OtherJobsOnFold(const StudyView& study, const TrialView& trial,
                                            int fold);

// `trial`'s job on `fold`, or nullptr.
const JobView* JobOnFold(const TrialView& trial, int fold);

// "below" when bigger is better, "above" when smaller is: how a value worse than a threshold
// compares with it.
const char* WorseWord(const Objective& objective);

// A number for a reason line (6 significant digits, like %g).
std::string ShowValue(double value);

// kStopTrial with `reason`: a trial that misses a fold has no complete value and no OOF
// predictions, so the pruners end the whole trial.
PruneDecision StopTrial(std::string reason);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNE_MATH_H_
