// Job leasing: the heart of scheduling. Workers register, lease jobs (one trial on one fold),
// heartbeat to keep their leases, report metrics/predictions and finish jobs.
//
// A lease is (job, lease_id). Every report must carry the current lease_id of a job that is
// running, held by a live lease (not expired, not cancelled); anything else is refused with
// FAILED_PRECONDITION and stores nothing, so a worker that lost its lease can never overwrite the
// results of the attempt that replaced it. Repeated reports are idempotent.
//
// Prediction jobs (JOB_KIND_PREDICT, see store/prediction_job_store.h) go through the same calls and
// the same lease steps (store/lease_store.h); every report names its kind since the two kinds
// number their ids apart, and only what is particular to a kind (OOF rows and the trial scheduler
// for training, eval rows and the run for prediction) is settled apart. A free slot takes a
// prediction job before a training job.
//
// Thread safety: every call runs in one SQLite transaction on the shared connection, which
// serialises them; a JobManager may be called from any number of threads.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_JOB_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_JOB_MANAGER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/managers/trial_scheduler.h"
#include "coordinator/store/lease_store.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

struct JobManagerOptions {
  int64_t lease_ttl_ms = 30000;          // a lease expires this long after its last extension
  int32_t heartbeat_interval_ms = 5000;  // told to workers at registration
};

class JobManager {
 public:
  // `db` must be migrated (OpenFoldstackDb); `db` and `clock` must outlive the manager.
  JobManager(SqliteDb& db, Clock& clock, JobManagerOptions options = {});

  // Extends the leases of the listed jobs this worker still holds; every other listed job is
  // returned as revoked (cancelled, expired, re-leased elsewhere). NOT_FOUND for an unknown
  // worker (it should register again).
  absl::StatusOr<foldstack::v1::HeartbeatResponse> Heartbeat(
      const foldstack::v1::HeartbeatRequest& request);

  // Leases the next job, a prediction job first, else the training job the scheduler's order
  // puts first (store/job_store.h NextQueuedJob), with a new lease_id and attempt + 1, deleting
  // the rows of earlier attempts in the same transaction. Expired leases are ended first.
  // leased=false when nothing is queued, the worker already runs `slots` jobs or is draining.
  // The spec names the artifact store's copies: a training job's latest resume checkpoint
  // (resume_artifact_id), a prediction job's training job's best checkpoint
  // (predict.checkpoint_artifact_id); 0 when none.
  absl::StatusOr<foldstack::v1::LeaseJobResponse> LeaseJob(
      const foldstack::v1::LeaseJobRequest& request);

  absl::StatusOr<foldstack::v1::GetSplitResponse> GetSplit(
      const foldstack::v1::GetSplitRequest& request);

  // Upserts by (job, epoch, name): a repeated report replaces, never duplicates. Then the sweep's
  // pruner judges the job's latest epoch; a stop is applied at once (the job, or its whole trial,
  // ends pruned) and answered with JOB_DIRECTIVE_STOP.
  absl::StatusOr<foldstack::v1::ReportMetricsResponse> ReportMetrics(
      const foldstack::v1::ReportMetricsRequest& request);

  // Stores the batch's rows (all or nothing) and returns how many were new. Validates
  // num_classes, the probs length, finite probabilities and that every sample belongs to the
  // job's held-out fold.
  absl::StatusOr<int64_t> ReportPredictions(const foldstack::v1::PredictionBatch& batch);

  // Marks the job done with its objective value; repeating it with the same lease is a no-op. The
  // trial scheduler then applies the fold rule, tops the sweep up and may finish it.
  absl::Status CompleteJob(const foldstack::v1::CompleteJobRequest& request);

  // A retryable failure with attempts left requeues the job; otherwise it is failed with the
  // reason and log tail (and the sweep may finish).
  absl::Status FailJob(const foldstack::v1::FailJobRequest& request);

  // Requeues running jobs whose lease expired while attempts remain, fails the rest with
  // "lease expired: worker <id> (<host>) stopped heartbeating; attempt N of M". Returns how
  // many leases expired. LeaseJob calls it too; the server may also call it periodically.
  absl::StatusOr<int> ExpireLeases();

  const JobManagerOptions& options() const { return options_; }

 private:
  // Ends the leased job's attempt: requeued when `retry` and attempts are left, else failed with
  // `reason`; a job failed for good settles its trial (training) or its run (prediction).
  absl::Status EndLease(Transaction& txn, const Lease& lease, bool retry, const std::string& reason,
                        const std::string& log_tail, int64_t now_ms);
  // Ends every expired lease of both kinds in `txn`; returns how many.
  absl::StatusOr<int> ExpireIn(Transaction& txn, int64_t now_ms);

  SqliteDb& db_;
  Clock& clock_;
  JobManagerOptions options_;
  TrialScheduler scheduler_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_JOB_MANAGER_H_
