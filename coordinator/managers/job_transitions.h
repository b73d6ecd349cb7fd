// The job state machine's steps, each a few SQL statements run inside the caller's transaction:
//   queued --lease--> running --complete--> done
//                        |--fail/expire, attempts left--> queued
//                        |--fail/expire, none left-----> failed
//   queued|running --cancel sweep--> cancelled
// JobManager composes these so that each RPC is one transaction.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_JOB_TRANSITIONS_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_JOB_TRANSITIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

struct WorkerInfo {
  std::string id;
  std::string hostname;
  int32_t slots = 1;
};

// Records a sign of life (last_heartbeat_ms = now). NOT_FOUND for an unregistered worker.
absl::StatusOr<WorkerInfo> TouchWorker(Transaction& txn, const std::string& worker_id,
                                       int64_t now_ms);

absl::StatusOr<int64_t> CountRunningJobs(Transaction& txn, const std::string& worker_id);

// The lowest queued job id. Ids are assigned when a sweep is created (one transaction) and jobs
// are never deleted, so the lowest id is the oldest sweep's first pending trial/fold.
absl::StatusOr<std::optional<int64_t>> OldestQueuedJob(Transaction& txn);

// queued -> running under a new lease; deletes the rows of earlier attempts.
absl::Status StartAttempt(Transaction& txn, int64_t job_id, int64_t lease_id,
                          const std::string& worker_id, int64_t lease_expires_ms, int64_t now_ms);

// Fills the spec a worker needs to run the job (after StartAttempt).
absl::Status LoadJobSpec(Transaction& txn, int64_t job_id, foldstack::v1::JobSpec* spec);

struct HeldJob {
  int64_t job_id = 0;
  int64_t sweep_id = 0;
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

// The job, if `lease_id` is its current lease and that lease is live (running, unexpired);
// otherwise FAILED_PRECONDITION saying why.
absl::StatusOr<HeldJob> CheckLeaseHeld(Transaction& txn, int64_t job_id, int64_t lease_id,
                                       int64_t now_ms);

// running -> queued (requeue) or failed, recording the error and log tail.
absl::Status EndAttempt(Transaction& txn, int64_t job_id, bool requeue, const std::string& error,
                        const std::string& log_tail, int64_t now_ms);

// When no job of the sweep is queued or running any more: running -> done, or failed when some
// job failed. A cancelled sweep stays cancelled.
absl::Status FinishSweepIfDone(Transaction& txn, int64_t sweep_id, int64_t now_ms);

// Ends every lease that expired before `now_ms` (see JobManager::ExpireLeases).
absl::StatusOr<int> ExpireLeasesIn(Transaction& txn, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_JOB_TRANSITIONS_H_
