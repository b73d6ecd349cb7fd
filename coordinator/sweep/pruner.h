// A Pruner decides, on each epoch a job reports and on each fold a trial finishes, whether the
// trial goes on (Optuna's Pruner, Ray Tune's TrialScheduler answering CONTINUE / STOP). Like
// samplers, pruners are pure functions of the StudyView: no SQL, no clock, no memory of earlier
// calls, so a decision is the same after a restart and can be replayed on recorded curves.
//
// With k folds every comparison is between jobs on the SAME fold (a hard fold must not prune a
// trial), at the same epoch.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNER_H_

#include <memory>
#include <string>
#include <vector>

#include "coordinator/sweep/study_view.h"

namespace foldstack::sweep {

enum class PruneAction {
  kContinue,
  kStopJob,    // end this job as pruned; the trial's other folds go on
  kStopTrial,  // end the trial as pruned: its running jobs pruned, its queued jobs cancelled
};

struct PruneDecision {
  PruneAction action = PruneAction::kContinue;
  std::string reason;  // one line for people, e.g. "asha rung 3: 0.41 below cut-off 0.52"

  static PruneDecision Continue() { return {}; }
  bool stops() const { return action != PruneAction::kContinue; }
};

class Pruner {
 public:
  virtual ~Pruner() = default;

  // `trial`'s job on `fold` has just reported `epoch` (its curve in the view includes it).
  virtual PruneDecision OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                                int epoch) const {
    return PruneDecision::Continue();
  }
  // `trial`'s job on `fold` has just finished (done; its value is in the view).
  virtual PruneDecision OnFoldDone(const StudyView& study, const TrialView& trial, int fold) const {
    return PruneDecision::Continue();
  }
  // How many of a trial's folds (0, 1, ...) must be done before its other folds may start: the
  // scheduler runs every trial's gate folds before any later fold. 0 = no gate.
  virtual int GateFolds() const { return 0; }
};

// Asks every part; the first that stops wins (kStopTrial over kStopJob). GateFolds is the largest.
class CompositePruner : public Pruner {
 public:
  explicit CompositePruner(std::vector<std::unique_ptr<Pruner>> parts) : parts_(std::move(parts)) {}
  PruneDecision OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                        int epoch) const override;
  PruneDecision OnFoldDone(const StudyView& study, const TrialView& trial, int fold) const override;
  int GateFolds() const override;

 private:
  std::vector<std::unique_ptr<Pruner>> parts_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNER_H_
