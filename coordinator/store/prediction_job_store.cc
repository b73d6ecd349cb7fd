#include "coordinator/store/prediction_job_store.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunk_store.h"

namespace foldstack::coordinator {

absl::StatusOr<std::optional<int64_t>> NextPredictionJob(Transaction& txn, const std::string& worker_id,
                                                         int64_t now_ms, int64_t lease_ttl_ms) {
  FS_ASSIGN_OR_RETURN(Statement next, txn.Prepare(
      "SELECT pj.id FROM prediction_jobs pj LEFT JOIN workers w ON w.id = pj.preferred_worker_id "
      "WHERE pj.state = 'queued' AND (pj.preferred_worker_id IS NULL OR pj.preferred_worker_id = ?1 "
      "  OR w.last_heartbeat_ms IS NULL OR w.last_heartbeat_ms < ?2 OR pj.queued_ms < ?2) "
      "ORDER BY pj.preferred_worker_id IS ?1 DESC, pj.id LIMIT 1"));
  next.Bind(1, worker_id).Bind(2, now_ms - lease_ttl_ms);
  FS_ASSIGN_OR_RETURN(bool found, next.Step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(next.Int(0));
}

absl::StatusOr<int64_t> InsertEvalRows(Transaction& txn, const Lease& job, absl::Span<const int64_t> rows,
                                       absl::Span<const float> probs, int32_t num_classes) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= job.image_count) {
      return absl::InvalidArgumentError(absl::StrCat(JobName(job.table, job.job_id), ": row ", i, ": eval row ",
                                                     rows[i], " is outside the run's ", job.image_count,
                                                     " images"));
    }
  }
  return AppendProbRows(txn, ChunkTable::kEval, job.job_id, rows, probs, num_classes);
}

absl::Status MarkPredictionJobDone(Transaction& txn, const Lease& job, double seconds, int64_t now_ms) {
  {
    FS_ASSIGN_OR_RETURN(int64_t stored, CountProbRows(txn, ChunkTable::kEval, job.job_id));
    if (stored != job.image_count) {
      return absl::FailedPreconditionError(absl::StrCat(JobName(job.table, job.job_id), ": ", stored, " of ",
                                                        job.image_count, " eval images have probabilities; not done"));
    }
  }
  {
    FS_ASSIGN_OR_RETURN(Statement done, txn.Prepare(
        "UPDATE prediction_jobs SET state = 'done', seconds = ?, finished_ms = ?, lease_expires_ms = NULL "
        "WHERE id = ?"));
    done.Bind(1, seconds).Bind(2, now_ms).Bind(3, job.job_id);
    FS_RETURN_IF_ERROR(done.Run().status());
  }
  return FinishRunIfDone(txn, job.run_id, now_ms);
}

absl::Status FinishRunIfDone(Transaction& txn, int64_t run_id, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement probe, txn.Prepare(
      "SELECT EXISTS(SELECT 1 FROM prediction_jobs WHERE run_id = ?1 AND state IN ('queued', 'running')), "
      "EXISTS(SELECT 1 FROM prediction_jobs WHERE run_id = ?1 AND state = 'failed')"));
  probe.Bind(1, run_id);
  FS_ASSIGN_OR_RETURN(bool row, probe.Step());
  if (!row || probe.Int(0) != 0) return absl::OkStatus();
  const bool failed = probe.Int(1) != 0;
  probe.Reset();
  FS_ASSIGN_OR_RETURN(Statement finish, txn.Prepare(
      "UPDATE prediction_runs SET state = ?, finished_ms = ? WHERE id = ? AND state = 'running'"));
  finish.Bind(1, failed ? "failed" : "done").Bind(2, now_ms).Bind(3, run_id);
  return finish.Run().status();
}

}  // namespace foldstack::coordinator
