#include "coordinator/store/prediction_run_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunks.h"
#include "coordinator/store/trial_task.h"

namespace foldstack::coordinator {

absl::StatusOr<TrialModels> LoadTrialModels(Transaction& txn, int64_t trial_id) {
  TrialModels models;
  int32_t k = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement trial, txn.Prepare(
        absl::StrCat("SELECT sp.k, d.num_classes, ", kTrialTaskSql, " FROM trials t JOIN sweeps s ON s.id = t.sweep_id "
                     "JOIN splits sp ON sp.id = s.split_id JOIN datasets d ON d.id = s.dataset_id WHERE t.id = ?")));
    trial.Bind(1, trial_id);
    FS_ASSIGN_OR_RETURN(bool found, trial.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("trial ", trial_id, ": no such trial"));
    k = static_cast<int32_t>(trial.Int(0));
    models.num_classes = static_cast<int32_t>(trial.Int(1));
    models.task = trial.Text(2);
    models.width = TrialRowWidth(models.task, models.num_classes);
  }
  FS_ASSIGN_OR_RETURN(Statement jobs, txn.Prepare(
      "SELECT fold, id, state, checkpoint_path, COALESCE(worker_id, '') FROM jobs WHERE trial_id = ? ORDER BY fold"));
  jobs.Bind(1, trial_id);
  for (int32_t fold = 0; fold < k; ++fold) {
    FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row || jobs.Int(0) != fold) {
      return absl::FailedPreconditionError(absl::StrCat("trial ", trial_id, ": fold ", fold, " has no job"));
    }
    if (jobs.Text(2) != "done") {
      return absl::FailedPreconditionError(
          absl::StrCat("trial ", trial_id, ": fold ", fold, " is ", jobs.Text(2), ", not done"));
    }
    if (jobs.IsNull(3)) {
      return absl::FailedPreconditionError(absl::StrCat("trial ", trial_id, ": fold ", fold,
                                                        " has no checkpoint recorded (trained before v4?)"));
    }
    models.folds.push_back({jobs.Int(1), jobs.Text(4)});
  }
  return models;
}

absl::StatusOr<int64_t> InsertPredictionRun(Transaction& txn, const NewPredictionRun& run, int64_t now_ms) {
  int64_t run_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
        "INSERT INTO prediction_runs(eval_root, members_json, num_classes, state, created_ms, submitted_by) "
        "VALUES(?, ?, ?, 'running', ?, ?) RETURNING id"));
    insert.Bind(1, run.eval_root).Bind(2, run.members_json).Bind(3, run.num_classes).Bind(4, now_ms)
        .Bind(5, run.submitted_by);
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("prediction run insert returned no id");
    run_id = insert.Int(0);
    FS_RETURN_IF_ERROR(insert.Step().status());
  }
  FS_ASSIGN_OR_RETURN(Statement image, txn.Prepare(
      "INSERT INTO prediction_images(run_id, idx, image_id, image_key) VALUES(?, ?, ?, ?)"));
  for (size_t i = 0; i < run.images.size(); ++i) {
    image.Reset();
    image.Bind(1, run_id).Bind(2, static_cast<int64_t>(i)).Bind(3, run.images[i].first).Bind(4, run.images[i].second);
    FS_RETURN_IF_ERROR(image.Run().status());
  }
  image.Reset();
  FS_ASSIGN_OR_RETURN(Statement job, txn.Prepare(
      "INSERT INTO prediction_jobs(run_id, train_job_id, weight, preferred_worker_id, max_attempts, queued_ms) "
      "VALUES(?, ?, ?, NULLIF(?, ''), ?, ?)"));
  for (const NewPredictionRun::Job& j : run.jobs) {
    job.Reset();
    job.Bind(1, run_id).Bind(2, j.train_job_id).Bind(3, j.weight).Bind(4, j.preferred_worker_id)
        .Bind(5, run.max_attempts).Bind(6, now_ms);
    FS_RETURN_IF_ERROR(job.Run().status());
  }
  return run_id;
}

absl::StatusOr<PredictionRunRow> LoadPredictionRun(Transaction& txn, int64_t run_id) {
  PredictionRunRow out;
  {
    FS_ASSIGN_OR_RETURN(Statement run, txn.Prepare(
        "SELECT r.state, r.eval_root, r.members_json, r.num_classes, r.created_ms, COUNT(pj.id), "
        "COALESCE(SUM(pj.state = 'done'), 0), COALESCE(SUM(pj.state = 'failed'), 0), "
        "(SELECT error FROM prediction_jobs f WHERE f.run_id = r.id AND f.state = 'failed' ORDER BY f.id LIMIT 1) "
        "FROM prediction_runs r LEFT JOIN prediction_jobs pj ON pj.run_id = r.id WHERE r.id = ? GROUP BY r.id"));
    run.Bind(1, run_id);
    FS_ASSIGN_OR_RETURN(bool found, run.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("prediction run ", run_id, " not found"));
    out.state = run.Text(0);
    out.eval_root = run.Text(1);
    out.members_json = run.Text(2);
    out.num_classes = static_cast<int32_t>(run.Int(3));
    out.created_ms = run.Int(4);
    out.jobs_total = static_cast<int32_t>(run.Int(5));
    out.jobs_done = static_cast<int32_t>(run.Int(6));
    out.jobs_failed = static_cast<int32_t>(run.Int(7));
    if (!run.IsNull(8)) out.error = run.Text(8);
  }
  FS_ASSIGN_OR_RETURN(Statement images, txn.Prepare(
      "SELECT image_id FROM prediction_images WHERE run_id = ? ORDER BY idx"));
  images.Bind(1, run_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, images.Step());
    if (!row) break;
    out.image_ids.push_back(images.Text(0));
  }
  return out;
}

absl::Status ForEachEvalRow(Transaction& txn, int64_t run_id,
                            const std::function<absl::Status(const StoredEvalRow&)>& row_fn) {
  FS_ASSIGN_OR_RETURN(Statement chunks, txn.Prepare(
      "SELECT c.id, pj.id, j.trial_id, pj.weight, c.width, c.n, c.ids, c.probs FROM prediction_jobs pj "
      "JOIN jobs j ON j.id = pj.train_job_id JOIN eval_prob_chunks c ON c.prediction_job_id = pj.id "
      "WHERE pj.run_id = ?"));
  chunks.Bind(1, run_id);
  std::vector<float> probs;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, chunks.Step());
    if (!row) break;
    const size_t width = static_cast<size_t>(std::max<int64_t>(chunks.Int(4), 0));
    absl::StatusOr<std::vector<int64_t>> ids = DecodeIds(chunks.Blob(6), chunks.Int(5));
    absl::Status decoded = ids.status();
    if (decoded.ok()) {
      probs.resize(ids->size() * width);
      decoded = DecodeProbs(chunks.Blob(7), static_cast<int64_t>(probs.size()), probs.data());
    }
    if (!decoded.ok()) {
      return absl::DataLossError(absl::StrCat("eval_prob_chunks row ", chunks.Int(0), ": ", decoded.message()));
    }
    for (size_t r = 0; r < ids->size(); ++r) {
      FS_RETURN_IF_ERROR(row_fn({chunks.Int(1), chunks.Int(2), chunks.Double(3), (*ids)[r],
                                 absl::MakeConstSpan(probs).subspan(r * width, width)}));
    }
  }
  return absl::OkStatus();
}

}  // namespace foldstack::coordinator
