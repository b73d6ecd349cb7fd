// The job state machine's steps (coordinator/sweep/states.h), each a few SQL statements run
// inside the caller's transaction; the trial scheduler adds the pruned steps (study_store.h).
// JobManager composes these so that each RPC is one transaction.
#ifndef FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

// Training jobs live in `jobs`, prediction jobs in `prediction_jobs`; both have the same lease
// columns and go through the same steps.
enum class JobTable { kTrain, kPredict };
const char* TableName(JobTable table);

struct WorkerInfo {
  std::string id;
  std::string hostname;
  int32_t slots = 1;
  int32_t cpu_cores = 1;
  int32_t cuda_devices = 0;  // devices of kind "cuda" it registered
};

// Records a sign of life (last_heartbeat_ms = now). NOT_FOUND for an unregistered worker.
absl::StatusOr<WorkerInfo> TouchWorker(Transaction& txn, const std::string& worker_id,
                                       int64_t now_ms);

// Running jobs of both kinds held by the worker.
absl::StatusOr<int64_t> CountRunningJobs(Transaction& txn, const std::string& worker_id);

// Extends the worker's leases on `job_ids` in `table`; appends the ids it no longer holds to `revoked`.
absl::Status ExtendLeases(Transaction& txn, JobTable table, const std::string& worker_id,
                          const google::protobuf::RepeatedField<int64_t>& job_ids, int64_t now_ms,
                          int64_t lease_expires_ms, google::protobuf::RepeatedField<int64_t>* revoked);

// The next queued training job, in the scheduler's order: jobs of paused sweeps wait; a sweep
// with gate folds (fold pruning) runs its trials' gate folds before any later fold, and a
// trial's later folds only once its gate folds are all done; then the oldest job (lowest id:
// trials are made in order, each with its folds in order). `worker` must be able to run it: its
// trial's settings ask
// for `ranks` processes on `device` (common/trainer_settings.h), so it needs
//   device cuda: >= ranks GPUs;  device cpu: >= ranks cores;
//   device auto: >= ranks GPUs on a worker with GPUs, else >= ranks cores.
// Jobs no worker can run stay queued (and are listed by `foldstack watch`).
absl::StatusOr<std::optional<int64_t>> NextQueuedJob(Transaction& txn, const WorkerInfo& worker);

// queued -> running under a new lease; deletes the rows of earlier attempts.
absl::Status StartAttempt(Transaction& txn, int64_t job_id, int64_t lease_id,
                          const std::string& worker_id, int64_t lease_expires_ms, int64_t now_ms,
                          JobTable table = JobTable::kTrain);

// Fills the spec a worker needs to run the job (after StartAttempt).
absl::Status LoadJobSpec(Transaction& txn, int64_t job_id, foldstack::v1::JobSpec* spec);

struct HeldJob {
  int64_t job_id = 0;
  int64_t sweep_id = 0;
  int64_t trial_id = 0;
  int32_t fold = 0;
  std::string state;
  int64_t lease_id = 0;
  std::string worker_id;
  int64_t lease_expires_ms = 0;
  int32_t attempt = 0;
  int32_t max_attempts = 0;
  int64_t split_id = 0;
  int32_t num_classes = 0;
};

// NOT_FOUND for an unknown job.
absl::StatusOr<HeldJob> LoadHeldJob(Transaction& txn, int64_t job_id);

// OK when `lease_id` is the job's current lease and that lease is live (running, unexpired);
// otherwise FAILED_PRECONDITION saying why. `what` names the job ("job 7").
absl::Status CheckLeaseLive(const std::string& what, int64_t lease_id, int64_t current_lease_id,
                            const std::string& state, int64_t lease_expires_ms, int64_t now_ms);

// The shape of a prediction batch: num_classes, probs length, finite values. `what` names the job.
absl::Status CheckPredictionBatch(const foldstack::v1::PredictionBatch& batch, const std::string& what,
                                  int32_t num_classes);

// The job, if `lease_id` is its current lease and that lease is live (running, unexpired);
// otherwise FAILED_PRECONDITION saying why.
absl::StatusOr<HeldJob> CheckLeaseHeld(Transaction& txn, int64_t job_id, int64_t lease_id,
                                       int64_t now_ms);

// running -> queued (requeue) or failed, recording the error and log tail.
absl::Status EndAttempt(Transaction& txn, int64_t job_id, bool requeue, const std::string& error,
                        const std::string& log_tail, int64_t now_ms, JobTable table = JobTable::kTrain);

struct MetricRow {
  int32_t epoch = 0;
  std::string name;
  double value = 0;  // NaN is stored as NULL
};
// Upserts by (job, epoch, name): a repeated report replaces, never duplicates.
absl::Status UpsertMetrics(Transaction& txn, int64_t job_id, const std::vector<MetricRow>& metrics);

// Stores OOF probability rows of `job` (row-major, num_classes per sample), all or nothing:
// INVALID_ARGUMENT naming the row when a sample is not in the job's held-out fold. Repeated rows
// are kept once; returns how many were new.
absl::StatusOr<int64_t> InsertOofRows(Transaction& txn, const HeldJob& job, absl::Span<const int64_t> sample_ids,
                                      absl::Span<const float> probs, int32_t num_classes);

struct DoneJob {
  int32_t best_epoch = 0;
  double macro_f1 = 0, accuracy = 0, val_loss = 0, seconds = 0;
  std::string checkpoint_path;  // "" when none
};
// running -> done with the trainer's figures.
absl::Status MarkJobDone(Transaction& txn, int64_t job_id, const DoneJob& done, int64_t now_ms);

// A training job that ended for good (failed): its sweep and trial, for the trial scheduler.
struct EndedJob {
  int64_t sweep_id = 0;
  int64_t trial_id = 0;
};

// Ends every lease that expired before `now_ms`, of both kinds (see JobManager::ExpireLeases);
// training jobs failed for good are appended to `ended`.
absl::StatusOr<int> ExpireLeasesIn(Transaction& txn, int64_t now_ms, std::vector<EndedJob>* ended);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_
