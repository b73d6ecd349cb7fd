// The sweep engine's tables: what the trial scheduler reads (a sweep's controls, its StudyView)
// and the state changes it makes (new trials, pruned jobs and trials, finished sweeps). Every
// statement runs in the caller's transaction and returns domain structs.
#ifndef FOLDSTACK_COORDINATOR_STORE_STUDY_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_STUDY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/sweep/states.h"
#include "coordinator/sweep/study_view.h"

namespace foldstack::coordinator {

struct SweepControl {
  int64_t sweep_id = 0;
  sweep::SweepState state = sweep::SweepState::kRunning;
  bool paused = false;
  int64_t trial_budget = 0;           // trials it makes in all
  int32_t max_concurrent_trials = 0;  // 0 = unlimited
  int32_t gate_folds = 0;
  int32_t k = 1;
  std::string yaml;      // the submitted file, re-parsed to rebuild the sampler and pruner
  std::string base_dir;  // the sweep file's folder (relative paths in it)
  sweep::Objective objective;
};

// NOT_FOUND for an unknown sweep.
absl::StatusOr<SweepControl> LoadSweepControl(Transaction& txn, int64_t sweep_id);

// How far a sweep has got (counts over its trials and jobs, for the trial scheduler only).
struct SweepProgress {
  int64_t trials = 0;       // made so far
  int64_t open_trials = 0;  // trials in state running
  bool jobs_open = false;   // some job queued or running
  bool jobs_failed = false;
};
absl::StatusOr<SweepProgress> LoadSweepProgress(Transaction& txn, int64_t sweep_id);

// Every trial of the sweep with its jobs' objective curves (metric rows named after the
// sweep's metric), in trial order.
absl::StatusOr<sweep::StudyView> LoadStudyView(Transaction& txn, const SweepControl& sweep);

// A new trial (state running, index = the sweep's trial count) with one queued job per fold.
absl::StatusOr<int64_t> InsertTrial(Transaction& txn, int64_t sweep_id, const std::string& params_json,
                                    int32_t k, int64_t now_ms);

// running -> done | failed (the sweep's end).
absl::Status FinishSweep(Transaction& txn, int64_t sweep_id, sweep::SweepState state, int64_t now_ms);

// A running trial becomes done (every fold done), failed (a fold failed, none open) or cancelled
// (folds cancelled, none open); it stays running while a job is open. Pruned trials stay pruned.
absl::Status RefreshTrialState(Transaction& txn, int64_t trial_id);

// The job (running) ends pruned after its last reported epoch, its value the best objective it
// reached; no OOF rows are kept for it.
absl::Status PruneJob(Transaction& txn, int64_t job_id, const sweep::Objective& objective,
                      int64_t now_ms);

// The trial ends pruned with `reason`: running jobs pruned (as PruneJob), queued ones cancelled.
// Returns how many jobs it ended.
absl::StatusOr<int64_t> PruneTrial(Transaction& txn, int64_t trial_id, const std::string& reason,
                                   const sweep::Objective& objective, int64_t now_ms);

// Live control: pause or resume, grow the budget by `extend_by`, change the in-flight limit.
// FAILED_PRECONDITION when the sweep has ended.
absl::Status UpdateSweepControls(Transaction& txn, int64_t sweep_id, std::optional<bool> paused,
                                 int64_t extend_by, std::optional<int32_t> max_concurrent_trials);

struct TrialOwner {
  int64_t sweep_id = 0;
  sweep::TrialState state = sweep::TrialState::kRunning;
};
// The sweep a trial belongs to, and the trial's state; NOT_FOUND for an unknown trial.
absl::StatusOr<TrialOwner> LoadTrialOwner(Transaction& txn, int64_t trial_id);

struct TrialRecord {
  int64_t trial_id = 0;
  int32_t index = 0;
  sweep::TrialState state = sweep::TrialState::kRunning;
  int32_t folds_done = 0;
  std::optional<double> value;  // mean objective over done folds
  std::string params_json;
  int32_t stopped_epoch = 0;    // pruned: its furthest job's last epoch
  std::string stop_reason;
};

// Up to `limit` trials of the sweep with index > after_index, in index order.
absl::StatusOr<std::vector<TrialRecord>> LoadTrialRecords(Transaction& txn, int64_t sweep_id,
                                                          int64_t after_index, int32_t limit);

// One job's curve of a metric: curve[e - 1] is epoch e's value (nullopt: not finite).
struct JobCurveRecord {
  int64_t trial_id = 0;
  int32_t trial_index = 0;
  int32_t fold = 0;
  sweep::JobState state = sweep::JobState::kQueued;
  std::vector<std::optional<double>> curve;
};

// The jobs of up to `limit` trials with index > after_index, in trial and fold order, with their
// `metric` per epoch. Reads only those trials' rows, so a chart pages through a large sweep.
absl::StatusOr<std::vector<JobCurveRecord>> LoadJobCurves(Transaction& txn, int64_t sweep_id,
                                                          const std::string& metric, int64_t after_index,
                                                          int32_t limit);

// A done job's value: the objective at its best epoch from its metric rows, else `fallback`.
absl::Status SetDoneJobValue(Transaction& txn, int64_t job_id, const std::string& metric,
                             int32_t best_epoch, double fallback);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_STUDY_STORE_H_
