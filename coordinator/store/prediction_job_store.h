// A prediction job's own steps (JOB_KIND_PREDICT: one fold model of a member trial predicting a
// run's eval images) beside the lease steps both kinds share (lease_store.h). Each runs inside
// the caller's transaction. A run is done when all its jobs are, failed when one failed for good.
#ifndef FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/lease_store.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

// The queued prediction job `worker_id` should take, if any: first one whose checkpoint this
// worker wrote; else one whose author is gone (silent for a lease TTL) or that has waited a TTL
// (its author is busy); lowest id first.
absl::StatusOr<std::optional<int64_t>> NextPredictionJob(Transaction& txn, const std::string& worker_id,
                                                         int64_t now_ms, int64_t lease_ttl_ms);

// Stores the leased prediction job's rows (sample ids are eval rows; the shape checked by
// CheckProbRows) all or nothing; returns how many were new.
absl::StatusOr<int64_t> InsertEvalRows(Transaction& txn, const Lease& job, absl::Span<const int64_t> rows,
                                       absl::Span<const float> probs, int32_t num_classes);

// running -> done once every eval image has probabilities (else FAILED_PRECONDITION naming the
// count); may finish the run.
absl::Status MarkPredictionJobDone(Transaction& txn, const Lease& job, double seconds, int64_t now_ms);

// When no job of the run is queued or running: running -> done, or failed when a job failed.
absl::Status FinishRunIfDone(Transaction& txn, int64_t run_id, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PREDICTION_JOB_STORE_H_
