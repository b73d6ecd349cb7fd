// A training job's own steps beside the lease steps both kinds share (lease_store.h): which job a
// worker takes next, its metrics, its OOF rows and its completion. Each runs inside the caller's
// transaction; the trial scheduler adds the pruned steps (study_store.h).
#ifndef FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/lease_store.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

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

struct MetricRow {
  int32_t epoch = 0;
  std::string name;
  double value = 0;  // NaN is stored as NULL
};
// Upserts by (job, epoch, name): a repeated report replaces, never duplicates.
absl::Status UpsertMetrics(Transaction& txn, int64_t job_id, const std::vector<MetricRow>& metrics);

// Stores OOF probability rows of the leased training job (row-major, num_classes per sample; the
// shape checked by CheckProbRows), all or nothing: INVALID_ARGUMENT naming the row when a sample is
// not in the job's held-out fold. Repeated rows are kept once; returns how many were new.
absl::StatusOr<int64_t> InsertOofRows(Transaction& txn, const Lease& job, absl::Span<const int64_t> sample_ids,
                                      absl::Span<const float> probs, int32_t num_classes);

struct DoneJob {
  int32_t best_epoch = 0;
  double macro_f1 = 0, accuracy = 0, val_loss = 0, seconds = 0;
  std::string checkpoint_path;  // "" when none
};
// running -> done with the trainer's figures.
absl::Status MarkJobDone(Transaction& txn, int64_t job_id, const DoneJob& done, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_JOB_STORE_H_
