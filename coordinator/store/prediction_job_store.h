// The prediction job's steps (JOB_KIND_PREDICT: one fold model of a member trial predicting a run's
// eval images), each run inside the caller's transaction like job_store.h, whose lease state
// machine they share: queued -> running -> done | queued (retry) | failed. A run is done when all
// its jobs are, failed when one failed for good.
#ifndef FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

// The queued prediction job `worker_id` should take, if any: first one whose checkpoint this
// worker wrote; else one whose author is gone (silent for a lease TTL) or that has waited a TTL
// (its author is busy); lowest id first.
absl::StatusOr<std::optional<int64_t>> NextPredictionJob(Transaction& txn, const std::string& worker_id,
                                                         int64_t now_ms, int64_t lease_ttl_ms);

// Fills a leased prediction job's spec: kind, the trial's params, eval root, checkpoint, image keys.
absl::Status LoadPredictionJobSpec(Transaction& txn, int64_t job_id, foldstack::v1::JobSpec* spec);

// Stores the batch's rows (sample ids are eval rows) all or nothing; returns how many were new.
absl::StatusOr<int64_t> StorePredictionBatch(Transaction& txn, const foldstack::v1::PredictionBatch& batch,
                                             int64_t now_ms);

// Done once every eval image has probabilities (else FAILED_PRECONDITION naming the count);
// repeating it with the same lease is a no-op. May finish the run.
absl::Status CompletePredictionJob(Transaction& txn, const foldstack::v1::CompleteJobRequest& request,
                                   int64_t now_ms);

// Requeues a retryable failure with attempts left, else fails the job (and the run).
absl::Status FailPredictionJob(Transaction& txn, const foldstack::v1::FailJobRequest& request, int64_t now_ms);

// Requeues or fails prediction jobs whose lease expired; returns how many.
absl::StatusOr<int> ExpirePredictionLeasesIn(Transaction& txn, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_
