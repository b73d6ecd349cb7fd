#include "coordinator/store/prediction_job_store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "coordinator/store/job_store.h"
#include "coordinator/store/probs_json.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

struct HeldPredictionJob {
  int64_t job_id = 0;
  int64_t run_id = 0;
  std::string state;
  int64_t lease_id = 0;
  int64_t lease_expires_ms = 0;
  int32_t attempt = 0;
  int32_t max_attempts = 0;
  int32_t num_classes = 0;
  int64_t image_count = 0;
};

std::string Name(int64_t job_id) { return absl::StrCat("prediction job ", job_id); }

absl::StatusOr<HeldPredictionJob> LoadHeld(Transaction& txn, int64_t job_id) {
  FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(
      "SELECT pj.run_id, pj.state, pj.lease_id, pj.lease_expires_ms, pj.attempt, pj.max_attempts, "
      "r.num_classes, (SELECT COUNT(*) FROM prediction_images i WHERE i.run_id = pj.run_id) "
      "FROM prediction_jobs pj JOIN prediction_runs r ON r.id = pj.run_id WHERE pj.id = ?"));
  load.Bind(1, job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat(Name(job_id), " not found"));
  HeldPredictionJob job;
  job.job_id = job_id;
  job.run_id = load.Int(0);
  job.state = load.Text(1);
  job.lease_id = load.Int(2);
  job.lease_expires_ms = load.Int(3);
  job.attempt = static_cast<int32_t>(load.Int(4));
  job.max_attempts = static_cast<int32_t>(load.Int(5));
  job.num_classes = static_cast<int32_t>(load.Int(6));
  job.image_count = load.Int(7);
  return job;
}

absl::StatusOr<HeldPredictionJob> CheckHeld(Transaction& txn, int64_t job_id, int64_t lease_id, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(HeldPredictionJob job, LoadHeld(txn, job_id));
  FS_RETURN_IF_ERROR(
      CheckLeaseLive(Name(job_id), lease_id, job.lease_id, job.state, job.lease_expires_ms, now_ms));
  return job;
}

// When no job of the run is queued or running: running -> done, or failed when a job failed.
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

// Ends an attempt: requeued when `retry` and attempts are left, else failed (maybe ending the run).
absl::Status EndPredictionAttempt(Transaction& txn, const HeldPredictionJob& job, bool retry,
                                  const std::string& reason, const std::string& log_tail, int64_t now_ms) {
  const bool requeue = retry && job.attempt < job.max_attempts;
  const std::string error = absl::StrCat(reason, "; attempt ", job.attempt, " of ", job.max_attempts);
  FS_RETURN_IF_ERROR(EndAttempt(txn, job.job_id, requeue, error, log_tail, now_ms, JobTable::kPredict));
  if (!requeue) FS_RETURN_IF_ERROR(FinishRunIfDone(txn, job.run_id, now_ms));
  return absl::OkStatus();
}

}  // namespace

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

absl::Status LoadPredictionJobSpec(Transaction& txn, int64_t job_id, foldstack::v1::JobSpec* spec) {
  int64_t run_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(
        "SELECT pj.lease_id, pj.run_id, pj.train_job_id, j.sweep_id, j.trial_id, j.fold, j.checkpoint_path, "
        "r.eval_root, r.num_classes, t.params_json, pj.attempt FROM prediction_jobs pj "
        "JOIN prediction_runs r ON r.id = pj.run_id JOIN jobs j ON j.id = pj.train_job_id "
        "JOIN trials t ON t.id = j.trial_id WHERE pj.id = ?"));
    load.Bind(1, job_id);
    FS_ASSIGN_OR_RETURN(bool found, load.Step());
    if (!found) return absl::NotFoundError(absl::StrCat(Name(job_id), " not found"));
    run_id = load.Int(1);
    spec->set_job_id(job_id);
    spec->set_kind(foldstack::v1::JOB_KIND_PREDICT);
    spec->set_lease_id(load.Int(0));
    spec->set_sweep_id(load.Int(3));
    spec->set_trial_id(load.Int(4));
    spec->set_fold(static_cast<int32_t>(load.Int(5)));
    spec->set_dataset_kind("mask");  // eval images are files under the eval root, as the mask layout's
    spec->set_dataset_root(load.Text(7));
    spec->set_num_classes(static_cast<int32_t>(load.Int(8)));
    spec->set_params_json(load.Text(9));
    spec->set_attempt(static_cast<int32_t>(load.Int(10)));
    foldstack::v1::PredictSpec* predict = spec->mutable_predict();
    predict->set_run_id(run_id);
    predict->set_train_job_id(load.Int(2));
    predict->set_checkpoint_path(load.Text(6));
    predict->set_hflip_tta(true);
  }
  FS_ASSIGN_OR_RETURN(Statement keys, txn.Prepare(
      "SELECT image_key FROM prediction_images WHERE run_id = ? ORDER BY idx"));
  keys.Bind(1, run_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, keys.Step());
    if (!row) break;
    spec->mutable_predict()->add_image_keys(keys.Text(0));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> StorePredictionBatch(Transaction& txn, const foldstack::v1::PredictionBatch& batch,
                                             int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(HeldPredictionJob job, CheckHeld(txn, batch.job_id(), batch.lease_id(), now_ms));
  FS_RETURN_IF_ERROR(CheckPredictionBatch(batch, Name(job.job_id), job.num_classes));
  FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
      "INSERT INTO eval_probs(prediction_job_id, idx, probs) VALUES(?, ?, ?) "
      "ON CONFLICT(prediction_job_id, idx) DO NOTHING"));
  const int c = batch.num_classes();
  const absl::Span<const float> all(batch.probs().data(), batch.probs_size());
  std::string json;
  int64_t stored = 0;
  for (int i = 0; i < batch.sample_ids_size(); ++i) {
    const int64_t row = batch.sample_ids(i);
    if (row < 0 || row >= job.image_count) {
      return absl::InvalidArgumentError(absl::StrCat(Name(job.job_id), ": row ", i, ": eval row ", row,
                                                     " is outside the run's ", job.image_count, " images"));
    }
    FormatProbsJson(all.subspan(static_cast<size_t>(i) * c, c), &json);
    insert.Reset();
    insert.Bind(1, job.job_id).Bind(2, row).Bind(3, json);
    FS_ASSIGN_OR_RETURN(int64_t changed, insert.Run());
    stored += changed;
  }
  return stored;
}

absl::Status CompletePredictionJob(Transaction& txn, const foldstack::v1::CompleteJobRequest& request,
                                   int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(HeldPredictionJob job, LoadHeld(txn, request.job_id()));
  if (job.state == "done" && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckHeld(txn, request.job_id(), request.lease_id(), now_ms).status());
  {
    FS_ASSIGN_OR_RETURN(Statement count, txn.Prepare(
        "SELECT COUNT(*) FROM eval_probs WHERE prediction_job_id = ?"));
    count.Bind(1, job.job_id);
    FS_ASSIGN_OR_RETURN(bool row, count.Step());
    const int64_t stored = row ? count.Int(0) : 0;
    if (stored != job.image_count) {
      return absl::FailedPreconditionError(absl::StrCat(Name(job.job_id), ": ", stored, " of ", job.image_count,
                                                        " eval images have probabilities; not done"));
    }
  }
  {
    FS_ASSIGN_OR_RETURN(Statement done, txn.Prepare(
        "UPDATE prediction_jobs SET state = 'done', seconds = ?, finished_ms = ?, lease_expires_ms = NULL "
        "WHERE id = ?"));
    done.Bind(1, request.seconds()).Bind(2, now_ms).Bind(3, job.job_id);
    FS_RETURN_IF_ERROR(done.Run().status());
  }
  return FinishRunIfDone(txn, job.run_id, now_ms);
}

absl::Status FailPredictionJob(Transaction& txn, const foldstack::v1::FailJobRequest& request, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(HeldPredictionJob job, LoadHeld(txn, request.job_id()));
  if (job.state == "failed" && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckHeld(txn, request.job_id(), request.lease_id(), now_ms).status());
  return EndPredictionAttempt(txn, job, request.retryable(), request.reason(), request.log_tail(), now_ms);
}

absl::StatusOr<int> ExpirePredictionLeasesIn(Transaction& txn, int64_t now_ms) {
  struct Expired {
    int64_t job_id;
    std::string worker_id, hostname;
  };
  std::vector<Expired> expired;
  {
    FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(
        "SELECT pj.id, pj.worker_id, COALESCE(w.hostname, '?') FROM prediction_jobs pj "
        "LEFT JOIN workers w ON w.id = pj.worker_id "
        "WHERE pj.state = 'running' AND pj.lease_expires_ms < ?"));
    find.Bind(1, now_ms);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      expired.push_back({find.Int(0), find.Text(1), find.Text(2)});
    }
  }
  for (const Expired& e : expired) {
    FS_ASSIGN_OR_RETURN(HeldPredictionJob job, LoadHeld(txn, e.job_id));
    FS_RETURN_IF_ERROR(EndPredictionAttempt(
        txn, job, /*retry=*/true,
        absl::StrCat("lease expired: worker ", e.worker_id, " (", e.hostname, ") stopped heartbeating"), "",
        now_ms));
  }
  return static_cast<int>(expired.size());
}

}  // namespace foldstack::coordinator
