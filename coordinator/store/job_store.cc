#include "coordinator/store/job_store.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/store/prediction_job_store.h"
#include "common/status_macros.h"
#include "coordinator/store/probs_json.h"

namespace foldstack::coordinator {

const char* TableName(JobTable table) { return table == JobTable::kTrain ? "jobs" : "prediction_jobs"; }

absl::StatusOr<WorkerInfo> TouchWorker(Transaction& txn, const std::string& worker_id,
                                       int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement touch, txn.Prepare(
      "UPDATE workers SET last_heartbeat_ms = ? WHERE id = ? RETURNING hostname, slots, cpu_cores, "
      "(SELECT COUNT(*) FROM json_each(devices_json) WHERE json_extract(value, '$.kind') = 'cuda')"));
  touch.Bind(1, now_ms).Bind(2, worker_id);
  FS_ASSIGN_OR_RETURN(bool found, touch.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("worker ", worker_id,
                                            " is not registered; register again"));
  }
  WorkerInfo info{worker_id, touch.Text(0), static_cast<int32_t>(touch.Int(1)),
                  static_cast<int32_t>(touch.Int(2)), static_cast<int32_t>(touch.Int(3))};
  // Finish the statement so the UPDATE is complete before anything else runs.
  FS_RETURN_IF_ERROR(touch.Step().status());
  return info;
}

absl::StatusOr<int64_t> CountRunningJobs(Transaction& txn, const std::string& worker_id) {
  FS_ASSIGN_OR_RETURN(Statement count, txn.Prepare(
      "SELECT (SELECT COUNT(*) FROM jobs WHERE worker_id = ?1 AND state = 'running') + "
      "(SELECT COUNT(*) FROM prediction_jobs WHERE worker_id = ?1 AND state = 'running')"));
  count.Bind(1, worker_id);
  FS_ASSIGN_OR_RETURN(bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::Status ExtendLeases(Transaction& txn, JobTable table, const std::string& worker_id,
                          const google::protobuf::RepeatedField<int64_t>& job_ids, int64_t now_ms,
                          int64_t lease_expires_ms, google::protobuf::RepeatedField<int64_t>* revoked) {
  FS_ASSIGN_OR_RETURN(Statement extend, txn.Prepare(absl::StrCat(
      "UPDATE ", TableName(table), " SET lease_expires_ms = ? WHERE id = ? AND worker_id = ? "
      "AND state = 'running' AND lease_expires_ms >= ?")));
  for (int64_t job_id : job_ids) {
    extend.Reset();
    extend.Bind(1, lease_expires_ms).Bind(2, job_id).Bind(3, worker_id).Bind(4, now_ms);
    FS_ASSIGN_OR_RETURN(int64_t changed, extend.Run());
    if (changed == 0) revoked->Add(job_id);
  }
  return absl::OkStatus();
}

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

absl::Status StartAttempt(Transaction& txn, int64_t job_id, int64_t lease_id,
                          const std::string& worker_id, int64_t lease_expires_ms, int64_t now_ms,
                          JobTable table) {
  {
    FS_ASSIGN_OR_RETURN(Statement start, txn.Prepare(absl::StrCat(
        "UPDATE ", TableName(table), " SET state = 'running', attempt = attempt + 1, lease_id = ?, "
        "worker_id = ?, lease_expires_ms = ?, started_ms = ?, finished_ms = NULL, error = NULL, "
        "log_tail = NULL WHERE id = ? AND state = 'queued'")));
    start.Bind(1, lease_id).Bind(2, worker_id).Bind(3, lease_expires_ms).Bind(4, now_ms)
        .Bind(5, job_id);
    FS_ASSIGN_OR_RETURN(int64_t changed, start.Run());
    if (changed != 1) return absl::InternalError(absl::StrCat("job ", job_id, " is not queued"));
  }
  // Rows of an earlier attempt would mix two runs' results.
  const std::vector<const char*> clears =
      table == JobTable::kTrain
          ? std::vector<const char*>{"DELETE FROM metrics WHERE job_id = ?", "DELETE FROM predictions WHERE job_id = ?"}
          : std::vector<const char*>{"DELETE FROM eval_probs WHERE prediction_job_id = ?"};
  for (const char* sql : clears) {
    FS_ASSIGN_OR_RETURN(Statement clear, txn.Prepare(sql));
    FS_RETURN_IF_ERROR(clear.Bind(1, job_id).Run().status());
  }
  return absl::OkStatus();
}

absl::Status LoadJobSpec(Transaction& txn, int64_t job_id, foldstack::v1::JobSpec* spec) {
  FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(
      "SELECT j.lease_id, j.sweep_id, j.trial_id, j.fold, s.split_id, d.kind, d.root, "
      "d.num_classes, t.params_json, j.attempt, s.metric, s.goal FROM jobs j "
      "JOIN sweeps s ON s.id = j.sweep_id JOIN datasets d ON d.id = s.dataset_id "
      "JOIN trials t ON t.id = j.trial_id WHERE j.id = ?"));
  load.Bind(1, job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  spec->set_job_id(job_id);
  spec->set_lease_id(load.Int(0));
  spec->set_sweep_id(load.Int(1));
  spec->set_trial_id(load.Int(2));
  spec->set_fold(static_cast<int32_t>(load.Int(3)));
  spec->set_split_id(load.Int(4));
  spec->set_dataset_kind(load.Text(5));
  spec->set_dataset_root(load.Text(6));
  spec->set_num_classes(static_cast<int32_t>(load.Int(7)));
  spec->set_params_json(load.Text(8));
  spec->set_attempt(static_cast<int32_t>(load.Int(9)));
  spec->set_objective_metric(load.Text(10));
  spec->set_objective_minimize(load.Text(11) == "minimize");
  return absl::OkStatus();
}

absl::StatusOr<HeldJob> LoadHeldJob(Transaction& txn, int64_t job_id) {
  FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(
      "SELECT j.sweep_id, j.fold, j.state, j.lease_id, j.worker_id, j.lease_expires_ms, "
      "j.attempt, s.max_attempts, s.split_id, d.num_classes, j.trial_id FROM jobs j "
      "JOIN sweeps s ON s.id = j.sweep_id JOIN datasets d ON d.id = s.dataset_id "
      "WHERE j.id = ?"));
  load.Bind(1, job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  HeldJob job;
  job.job_id = job_id;
  job.sweep_id = load.Int(0);
  job.fold = static_cast<int32_t>(load.Int(1));
  job.state = load.Text(2);
  job.lease_id = load.Int(3);
  job.worker_id = load.Text(4);
  job.lease_expires_ms = load.Int(5);
  job.attempt = static_cast<int32_t>(load.Int(6));
  job.max_attempts = static_cast<int32_t>(load.Int(7));
  job.split_id = load.Int(8);
  job.num_classes = static_cast<int32_t>(load.Int(9));
  job.trial_id = load.Int(10);
  return job;
}

absl::Status CheckLeaseLive(const std::string& what, int64_t lease_id, int64_t current_lease_id,
                            const std::string& state, int64_t lease_expires_ms, int64_t now_ms) {
  std::string why;
  if (current_lease_id != lease_id) {
    why = "is not the job's current lease";
  } else if (state != "running") {
    why = absl::StrCat("no longer runs (job is ", state, ")");
  } else if (lease_expires_ms < now_ms) {
    why = "expired";
  } else {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": lease ", lease_id, " ", why, "; report discarded"));
}

absl::Status CheckPredictionBatch(const foldstack::v1::PredictionBatch& batch, const std::string& what,
                                  int32_t num_classes) {
  const int n = batch.sample_ids_size();
  const int c = batch.num_classes();
  if (c != num_classes) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": predictions have ", c,
                                                   " classes, the dataset has ", num_classes));
  }
  if (batch.probs_size() != static_cast<int64_t>(n) * c) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", batch.probs_size(),
                                                   " probabilities for ", n, " samples x ", c,
                                                   " classes"));
  }
  for (int i = 0; i < batch.probs_size(); ++i) {
    if (!std::isfinite(batch.probs(i))) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": row ", i / c, ": probability is not finite"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<HeldJob> CheckLeaseHeld(Transaction& txn, int64_t job_id, int64_t lease_id,
                                       int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(HeldJob job, LoadHeldJob(txn, job_id));
  FS_RETURN_IF_ERROR(CheckLeaseLive(absl::StrCat("job ", job_id), lease_id, job.lease_id, job.state,
                                    job.lease_expires_ms, now_ms));
  return job;
}

absl::Status EndAttempt(Transaction& txn, int64_t job_id, bool requeue, const std::string& error,
                        const std::string& log_tail, int64_t now_ms, JobTable table) {
  FS_ASSIGN_OR_RETURN(Statement end, txn.Prepare(absl::StrCat(
      "UPDATE ", TableName(table), " SET state = ?, error = ?, log_tail = ?, lease_expires_ms = NULL, "
      "finished_ms = ?, queued_ms = CASE WHEN ? THEN ? ELSE queued_ms END WHERE id = ?")));
  end.Bind(1, requeue ? "queued" : "failed").Bind(2, error).Bind(3, log_tail);
  if (requeue) {
    end.BindNull(4);
  } else {
    end.Bind(4, now_ms);
  }
  end.Bind(5, requeue ? 1 : 0).Bind(6, now_ms).Bind(7, job_id);
  return end.Run().status();
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

absl::StatusOr<int64_t> InsertOofRows(Transaction& txn, const HeldJob& job, absl::Span<const int64_t> sample_ids,
                                      absl::Span<const float> probs, int32_t num_classes) {
  FS_ASSIGN_OR_RETURN(Statement fold_of, txn.Prepare(
      "SELECT fold FROM split_folds WHERE split_id = ? AND sample_id = ?"));
  FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
      "INSERT INTO predictions(job_id, sample_id, predicted, probs) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(job_id, sample_id) DO NOTHING"));
  std::string json;
  int64_t stored = 0;
  // Validation and insertion share one pass; the caller's transaction rolls an error back whole.
  for (size_t i = 0; i < sample_ids.size(); ++i) {
    fold_of.Reset();
    fold_of.Bind(1, job.split_id).Bind(2, sample_ids[i]);
    FS_ASSIGN_OR_RETURN(bool found, fold_of.Step());
    if (!found || fold_of.Int(0) != job.fold) {
      return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id, ": row ", i, ": sample ",
                                                     sample_ids[i], " is not in held-out fold ", job.fold));
    }
    const absl::Span<const float> row = probs.subspan(i * static_cast<size_t>(num_classes), num_classes);
    FormatProbsJson(row, &json);
    insert.Reset();
    insert.Bind(1, job.job_id).Bind(2, sample_ids[i]).Bind(3, ArgMax(row)).Bind(4, json);
    FS_ASSIGN_OR_RETURN(int64_t changed, insert.Run());
    stored += changed;
  }
  return stored;
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

absl::StatusOr<int> ExpireLeasesIn(Transaction& txn, int64_t now_ms, std::vector<EndedJob>* ended) {
  struct Expired {
    int64_t job_id, sweep_id, trial_id;
    int32_t attempt, max_attempts;
    std::string worker_id, hostname;
  };
  std::vector<Expired> expired;
  {
    FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(
        "SELECT j.id, j.sweep_id, j.trial_id, j.attempt, s.max_attempts, j.worker_id, "
        "COALESCE(w.hostname, '?') FROM jobs j JOIN sweeps s ON s.id = j.sweep_id "
        "LEFT JOIN workers w ON w.id = j.worker_id "
        "WHERE j.state = 'running' AND j.lease_expires_ms < ?"));
    find.Bind(1, now_ms);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      expired.push_back({find.Int(0), find.Int(1), find.Int(2), static_cast<int32_t>(find.Int(3)),
                         static_cast<int32_t>(find.Int(4)), find.Text(5), find.Text(6)});
    }
  }
  for (const Expired& e : expired) {
    const bool requeue = e.attempt < e.max_attempts;
    const std::string error =
        absl::StrCat("lease expired: worker ", e.worker_id, " (", e.hostname,
                     ") stopped heartbeating; attempt ", e.attempt, " of ", e.max_attempts);
    FS_RETURN_IF_ERROR(EndAttempt(txn, e.job_id, requeue, error, "", now_ms));
    if (!requeue) ended->push_back({e.sweep_id, e.trial_id});
  }
  FS_ASSIGN_OR_RETURN(int predictions_expired, ExpirePredictionLeasesIn(txn, now_ms));
  return static_cast<int>(expired.size()) + predictions_expired;
}

}  // namespace foldstack::coordinator
