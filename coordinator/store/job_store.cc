#include "coordinator/store/job_store.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunk_store.h"

namespace foldstack::coordinator {

absl::StatusOr<std::optional<int64_t>> NextQueuedJob(Transaction& txn, const WorkerInfo& worker) {
  // Trials written before the ranks/device settings existed lack them: 1 process, auto.
  FS_ASSIGN_OR_RETURN(Statement next, txn.Prepare(
      "SELECT j.id FROM jobs j JOIN trials t ON t.id = j.trial_id JOIN sweeps s ON s.id = j.sweep_id "
      "WHERE j.state = 'queued' AND s.paused = 0 AND "
      "(j.fold < s.gate_folds OR NOT EXISTS(SELECT 1 FROM jobs g WHERE g.trial_id = j.trial_id "
      "  AND g.fold < s.gate_folds AND g.state != 'done')) AND "
      "coalesce(json_extract(t.params_json, '$.ranks'), 1) <= "
      "CASE coalesce(json_extract(t.params_json, '$.device'), 'auto') "
      "  WHEN 'cuda' THEN ?1 WHEN 'cpu' THEN ?2 ELSE (CASE WHEN ?1 > 0 THEN ?1 ELSE ?2 END) END "
      "ORDER BY j.fold >= s.gate_folds, j.id LIMIT 1"));
  next.Bind(1, static_cast<int64_t>(worker.cuda_devices)).Bind(2, static_cast<int64_t>(std::max(1, worker.cpu_cores)));
  FS_ASSIGN_OR_RETURN(bool found, next.Step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(next.Int(0));
}

absl::Status UpsertMetrics(Transaction& txn, int64_t job_id, const std::vector<MetricRow>& metrics) {
  FS_ASSIGN_OR_RETURN(Statement upsert, txn.Prepare(
      "INSERT INTO metrics(job_id, epoch, name, value) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(job_id, epoch, name) DO UPDATE SET value = excluded.value"));
  for (const MetricRow& metric : metrics) {
    upsert.Reset();
    upsert.Bind(1, job_id).Bind(2, metric.epoch).Bind(3, metric.name);
    if (std::isnan(metric.value)) {
      upsert.BindNull(4);
    } else {
      upsert.Bind(4, metric.value);
    }
    FS_RETURN_IF_ERROR(upsert.Run().status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> InsertOofRows(Transaction& txn, const Lease& job, absl::Span<const int64_t> sample_ids,
                                      absl::Span<const float> probs, int32_t num_classes) {
  FS_ASSIGN_OR_RETURN(Statement fold_of, txn.Prepare(
      "SELECT fold FROM split_folds WHERE split_id = ? AND sample_id = ?"));
  // Every row is checked before any is stored; the caller's transaction rolls an error back whole.
  for (size_t i = 0; i < sample_ids.size(); ++i) {
    fold_of.Reset();
    fold_of.Bind(1, job.split_id).Bind(2, sample_ids[i]);
    FS_ASSIGN_OR_RETURN(bool found, fold_of.Step());
    if (!found || fold_of.Int(0) != job.fold) {
      return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id, ": row ", i, ": sample ",
                                                     sample_ids[i], " is not in held-out fold ", job.fold));
    }
  }
  return AppendProbRows(txn, ChunkTable::kOof, job.job_id, sample_ids, probs, num_classes);
}

absl::Status MarkJobDone(Transaction& txn, int64_t job_id, const DoneJob& done_job, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement done, txn.Prepare(
      "UPDATE jobs SET state = 'done', best_epoch = ?, macro_f1 = ?, accuracy = ?, "
      "val_loss = ?, seconds = ?, finished_ms = ?, lease_expires_ms = NULL, checkpoint_path = ? "
      "WHERE id = ?"));
  done.Bind(1, done_job.best_epoch).Bind(2, done_job.macro_f1).Bind(3, done_job.accuracy)
      .Bind(4, done_job.val_loss).Bind(5, done_job.seconds).Bind(6, now_ms);
  if (done_job.checkpoint_path.empty()) {
    done.BindNull(7);
  } else {
    done.Bind(7, done_job.checkpoint_path);
  }
  done.Bind(8, job_id);
  return done.Run().status();
}

}  // namespace foldstack::coordinator
