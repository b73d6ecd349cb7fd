// The lease state machine both job kinds share (coordinator/sweep/states.h): training jobs live
// in `jobs`, prediction jobs in `prediction_jobs`, with the same lease columns, and go through
// the same steps here. Each step is a few SQL statements run inside the caller's transaction;
// JobManager composes them so that each RPC is one transaction, and settles what is particular
// to a kind (job_store.h, prediction_job_store.h).
#ifndef FOLDSTACK_COORDINATOR_STORE_LEASE_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_LEASE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/sweep/states.h"

namespace foldstack::coordinator {

enum class JobTable { kTrain, kPredict };
const char* TableName(JobTable table);
// How reports and errors name a job: "job 7", "prediction job 7" (the kinds number ids apart).
std::string JobName(JobTable table, int64_t job_id);

struct WorkerInfo {
  std::string id;
  std::string hostname;
  int32_t slots = 1;
  int32_t cpu_cores = 1;
  int32_t cuda_devices = 0;  // devices of kind "cuda" it registered
  bool draining = false;     // leased nothing more (DrainWorker)
};

// Records a sign of life (last_heartbeat_ms = now). NOT_FOUND for an unregistered worker.
absl::StatusOr<WorkerInfo> TouchWorker(Transaction& txn, const std::string& worker_id, int64_t now_ms);

// Running jobs of both kinds held by the worker.
absl::StatusOr<int64_t> CountRunningJobs(Transaction& txn, const std::string& worker_id);

// A job's lease and what its reports are checked against, for either kind.
struct Lease {
  JobTable table = JobTable::kTrain;
  int64_t job_id = 0;
  sweep::JobState state = sweep::JobState::kQueued;
  int64_t lease_id = 0;
  int64_t lease_expires_ms = 0;
  int32_t attempt = 0;
  int32_t max_attempts = 0;
  int32_t num_classes = 0;  // values per probability row: the dataset's, or the trial's head's (trial_task.h)
  // Training jobs: where the job sits in its sweep.
  int64_t sweep_id = 0;
  int64_t trial_id = 0;
  int32_t fold = 0;
  int64_t split_id = 0;
  // Prediction jobs: the run and how many eval images it predicts.
  int64_t run_id = 0;
  int64_t image_count = 0;
};

// NOT_FOUND for an unknown job.
absl::StatusOr<Lease> LoadLease(Transaction& txn, JobTable table, int64_t job_id);

// OK when `lease_id` is the job's current lease and that lease is live (running, unexpired);
// otherwise FAILED_PRECONDITION saying why.
absl::Status CheckLeaseLive(const Lease& lease, int64_t lease_id, int64_t now_ms);

// LoadLease, then CheckLeaseLive.
absl::StatusOr<Lease> CheckLeaseHeld(Transaction& txn, JobTable table, int64_t job_id, int64_t lease_id,
                                     int64_t now_ms);

// Extends the worker's leases on `job_ids`; appends the ids it no longer holds to `revoked`.
absl::Status ExtendLeases(Transaction& txn, JobTable table, const std::string& worker_id,
                          absl::Span<const int64_t> job_ids, int64_t now_ms, int64_t lease_expires_ms,
                          std::vector<int64_t>* revoked);

// queued -> running under a new lease; deletes the rows of earlier attempts, except the metrics of
// epochs 1..resumed_epoch, which a job resuming from its epoch-N checkpoint does not report again.
absl::Status StartAttempt(Transaction& txn, JobTable table, int64_t job_id, int64_t lease_id,
                          const std::string& worker_id, int64_t lease_expires_ms, int64_t now_ms,
                          int resumed_epoch = 0);

// running -> queued (requeue) or failed, recording the error and log tail.
absl::Status EndAttempt(Transaction& txn, JobTable table, int64_t job_id, bool requeue, const std::string& error,
                        const std::string& log_tail, int64_t now_ms);

// A running job whose lease expired, and the worker that held it.
struct ExpiredLease {
  JobTable table = JobTable::kTrain;
  int64_t job_id = 0;
  std::string worker_id;
  std::string hostname;  // "?" when the worker row is gone
};
// Running jobs of both kinds whose lease expired before `now_ms`.
absl::StatusOr<std::vector<ExpiredLease>> FindExpiredLeases(Transaction& txn, int64_t now_ms);

// The shape of a batch of probability rows: `classes` must be the job's `num_classes`, `probs`
// n x classes long, every value finite. `what` names the job.
absl::Status CheckProbRows(const std::string& what, size_t n, absl::Span<const float> probs, int32_t classes,
                           int32_t num_classes);

// A training-only dataset of a sweep (dataset.extra_train in its stored spec).
struct ExtraTrainSet {
  std::string root;
  double weight = 1.0;
};

// What a worker needs to run a leased job of either kind.
struct JobLaunch {
  JobTable table = JobTable::kTrain;
  int64_t job_id = 0;
  int64_t lease_id = 0;
  int32_t attempt = 0;
  int64_t sweep_id = 0;  // a prediction job: its training job's sweep, trial and fold
  int64_t trial_id = 0;
  int32_t fold = 0;
  int64_t split_id = 0;  // 0 for a prediction job
  std::string dataset_kind;
  std::string dataset_root;  // a prediction job: the eval root
  int32_t num_classes = 0;
  std::string params_json;  // the trial's trainer settings
  std::string objective_metric;
  bool objective_minimize = false;
  // Training jobs only: the sweep's program ("" = the built-in trainer) and its command words.
  std::string program;
  std::vector<std::string> command;
  bool resume = true;
  std::vector<ExtraTrainSet> extra_train;  // the sweep's dataset.extra_train
  // Prediction jobs only.
  int64_t run_id = 0;
  int64_t train_job_id = 0;     // the training job whose checkpoint predicts
  std::string checkpoint_path;
  std::vector<std::string> image_keys;  // in the run's order: eval row = index
};
// The launch of a job after StartAttempt. NOT_FOUND for an unknown job.
absl::StatusOr<JobLaunch> LoadLaunch(Transaction& txn, JobTable table, int64_t job_id);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_LEASE_STORE_H_
