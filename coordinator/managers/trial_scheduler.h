// The trial scheduler: owns each sweep's sampler and pruner (rebuilt from the stored sweep file,
// so a restarted coordinator has the same ones) and makes the engine's decisions inside the
// caller's transaction:
//  - Settle: after a job ends or a sweep's controls change, tops the sweep up to its in-flight
//    limit by asking the sampler (never past its trial budget, never while paused), and finishes
//    the sweep when nothing is open and nothing more will be made;
//  - OnEpochs: the pruner's verdict on a reported epoch, applied (job or trial pruned);
//  - OnJobDone: a done job's objective value, its trial's state, the fold rule.
// Everything it decides from is in the database; the cached engines hold no history.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_SCHEDULER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/store/study_store.h"
#include "coordinator/sweep/pruner.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/sweep_spec.h"

namespace foldstack::coordinator {

// Metric name -> value, as a completion reports them.
using ReportedValues = std::map<std::string, double>;

class TrialScheduler {
 public:
  absl::Status Settle(Transaction& txn, int64_t sweep_id, int64_t now_ms);

  // `trial_id`'s job `job_id` on `fold` reported epochs up to `epoch`.
  absl::StatusOr<sweep::PruneDecision> OnEpochs(Transaction& txn, int64_t sweep_id, int64_t trial_id,
                                                int64_t job_id, int fold, int epoch, int64_t now_ms);

  // The job has just been marked done with the trainer's best epoch; `reported` gives its value
  // when no metric row of the objective exists for that epoch (NaN when it names none).
  absl::Status OnJobDone(Transaction& txn, int64_t sweep_id, int64_t trial_id, int64_t job_id,
                         int fold, int32_t best_epoch, const ReportedValues& reported,
                         int64_t now_ms);

  // A job of the trial ended otherwise (failed for good, cancelled): trial state, then Settle.
  absl::Status OnJobEnded(Transaction& txn, int64_t sweep_id, int64_t trial_id, int64_t now_ms);

 private:
  struct Engine {
    sweep::SweepSpec spec;
    std::unique_ptr<sweep::Sampler> sampler;
    std::unique_ptr<sweep::Pruner> pruner;
    bool prunes = false;  // early_terminate or fold_pruning configured
  };

  static absl::Status Build(const SweepControl& control, Engine& engine);
  absl::StatusOr<std::shared_ptr<Engine>> EngineFor(const SweepControl& control);
  // Asks the sampler for the trials the budget and the in-flight limit allow; returns how many
  // were made.
  absl::StatusOr<int64_t> TopUp(Transaction& txn, const SweepControl& control, const SweepProgress& progress,
                                int64_t now_ms);
  absl::Status Apply(Transaction& txn, const SweepControl& control, int64_t trial_id, int64_t job_id,
                     const sweep::PruneDecision& decision, int64_t now_ms);

  std::mutex mutex_;
  std::map<int64_t, std::shared_ptr<Engine>> engines_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_SCHEDULER_H_
