#include "coordinator/store/lease_store.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunk_store.h"
#include "coordinator/store/trial_task.h"

namespace foldstack::coordinator {
namespace {

// A JSON list of strings as the submitter stored it (the program's command words).
absl::StatusOr<std::vector<std::string>> ParseStringList(const std::string& text) {
  nlohmann::json list = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> words;
  if (!list.is_array()) return absl::DataLossError(absl::StrCat("stored command is not a list: ", text));
  for (const nlohmann::json& word : list) {
    if (!word.is_string()) return absl::DataLossError(absl::StrCat("stored command has a non-string word: ", text));
    words.push_back(word.get<std::string>());
  }
  return words;
}

// The stored spec's dataset.extra_train ([{root, weight, samples}], as the submitter wrote it).
absl::StatusOr<std::vector<ExtraTrainSet>> ParseExtraTrain(const std::string& text) {
  nlohmann::json list = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return absl::DataLossError(absl::StrCat("stored extra_train is not a list: ", text));
  std::vector<ExtraTrainSet> sets;
  for (const nlohmann::json& set : list) {
    if (!set.is_object() || !set.value("root", nlohmann::json()).is_string() ||
        !set.value("weight", nlohmann::json()).is_number()) {
      return absl::DataLossError(absl::StrCat("stored extra_train has a bad entry: ", text));
    }
    sets.push_back({set["root"].get<std::string>(), set["weight"].get<double>()});
  }
  return sets;
}

// Both kinds' lease columns, then the kind's own: (sweep, trial, fold, split, classes) for a
// training job, (run, classes, eval image count) for a prediction job.
// Each ends with the trial's task, which sets the width of the job's rows (trial_task.h).
const std::string& LoadLeaseSql(JobTable table) {
  static const std::string* const kTrain = new std::string(absl::StrCat(
      "SELECT j.state, j.lease_id, j.lease_expires_ms, j.attempt, s.max_attempts, d.num_classes, "
      "j.sweep_id, j.trial_id, j.fold, s.split_id, ", kTrialTaskSql, " FROM jobs j "
      "JOIN sweeps s ON s.id = j.sweep_id JOIN datasets d ON d.id = s.dataset_id "
      "JOIN trials t ON t.id = j.trial_id WHERE j.id = ?"));
  static const std::string* const kPredict = new std::string(absl::StrCat(
      "SELECT pj.state, pj.lease_id, pj.lease_expires_ms, pj.attempt, pj.max_attempts, r.num_classes, "
      "pj.run_id, (SELECT COUNT(*) FROM prediction_images i WHERE i.run_id = pj.run_id), ", kTrialTaskSql, " "
      "FROM prediction_jobs pj JOIN prediction_runs r ON r.id = pj.run_id "
      "JOIN jobs tj ON tj.id = pj.train_job_id JOIN trials t ON t.id = tj.trial_id WHERE pj.id = ?"));
  return table == JobTable::kTrain ? *kTrain : *kPredict;
}

}  // namespace

const char* TableName(JobTable table) { return table == JobTable::kTrain ? "jobs" : "prediction_jobs"; }

std::string JobName(JobTable table, int64_t job_id) {
  return absl::StrCat(table == JobTable::kTrain ? "job " : "prediction job ", job_id);
}

absl::StatusOr<WorkerInfo> TouchWorker(Transaction& txn, const std::string& worker_id, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement touch, txn.Prepare(
      "UPDATE workers SET last_heartbeat_ms = ? WHERE id = ? RETURNING hostname, slots, cpu_cores, "
      "(SELECT COUNT(*) FROM json_each(devices_json) WHERE json_extract(value, '$.kind') = 'cuda'), draining"));
  touch.Bind(1, now_ms).Bind(2, worker_id);
  FS_ASSIGN_OR_RETURN(bool found, touch.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("worker ", worker_id, " is not registered; register again"));
  }
  WorkerInfo info{worker_id, touch.Text(0), static_cast<int32_t>(touch.Int(1)),
                  static_cast<int32_t>(touch.Int(2)), static_cast<int32_t>(touch.Int(3)), touch.Int(4) != 0};
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

absl::StatusOr<Lease> LoadLease(Transaction& txn, JobTable table, int64_t job_id) {
  FS_ASSIGN_OR_RETURN(Statement load,
                      txn.Prepare(LoadLeaseSql(table)));
  load.Bind(1, job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat(JobName(table, job_id), " not found"));
  const std::optional<sweep::JobState> state = sweep::ParseJobState(load.Text(0));
  if (!state) {
    return absl::InternalError(absl::StrCat(JobName(table, job_id), ": unknown state '", load.Text(0), "'"));
  }
  Lease lease;
  lease.table = table;
  lease.job_id = job_id;
  lease.state = *state;
  lease.lease_id = load.Int(1);
  lease.lease_expires_ms = load.Int(2);
  lease.attempt = static_cast<int32_t>(load.Int(3));
  lease.max_attempts = static_cast<int32_t>(load.Int(4));
  const int32_t dataset_classes = static_cast<int32_t>(load.Int(5));
  if (table == JobTable::kTrain) {
    lease.sweep_id = load.Int(6);
    lease.trial_id = load.Int(7);
    lease.fold = static_cast<int32_t>(load.Int(8));
    lease.split_id = load.Int(9);
    lease.num_classes = TrialRowWidth(load.Text(10), dataset_classes);
  } else {
    lease.run_id = load.Int(6);
    lease.image_count = load.Int(7);
    lease.num_classes = TrialRowWidth(load.Text(8), dataset_classes);
  }
  return lease;
}

absl::Status CheckLeaseLive(const Lease& lease, int64_t lease_id, int64_t now_ms) {
  std::string why;
  if (lease.lease_id != lease_id) {
    why = "is not the job's current lease";
  } else if (lease.state != sweep::JobState::kRunning) {
    why = absl::StrCat("no longer runs (job is ", std::string(sweep::JobStateName(lease.state)), ")");
  } else if (lease.lease_expires_ms < now_ms) {
    why = "expired";
  } else {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(JobName(lease.table, lease.job_id), ": lease ", lease_id, " ", why, "; report discarded"));
}

absl::StatusOr<Lease> CheckLeaseHeld(Transaction& txn, JobTable table, int64_t job_id, int64_t lease_id,
                                     int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Lease lease, LoadLease(txn, table, job_id));
  FS_RETURN_IF_ERROR(CheckLeaseLive(lease, lease_id, now_ms));
  return lease;
}

absl::Status ExtendLeases(Transaction& txn, JobTable table, const std::string& worker_id,
                          absl::Span<const int64_t> job_ids, int64_t now_ms, int64_t lease_expires_ms,
                          std::vector<int64_t>* revoked) {
  FS_ASSIGN_OR_RETURN(Statement extend, txn.Prepare(absl::StrCat(
      "UPDATE ", TableName(table), " SET lease_expires_ms = ? WHERE id = ? AND worker_id = ? "
      "AND state = 'running' AND lease_expires_ms >= ?")));
  for (int64_t job_id : job_ids) {
    extend.Reset();
    extend.Bind(1, lease_expires_ms).Bind(2, job_id).Bind(3, worker_id).Bind(4, now_ms);
    FS_ASSIGN_OR_RETURN(int64_t changed, extend.Run());
    if (changed == 0) revoked->push_back(job_id);
  }
  return absl::OkStatus();
}

absl::Status StartAttempt(Transaction& txn, JobTable table, int64_t job_id, int64_t lease_id,
                          const std::string& worker_id, int64_t lease_expires_ms, int64_t now_ms,
                          int resumed_epoch) {
  {
    FS_ASSIGN_OR_RETURN(Statement start, txn.Prepare(absl::StrCat(
        "UPDATE ", TableName(table), " SET state = 'running', attempt = attempt + 1, lease_id = ?, "
        "worker_id = ?, lease_expires_ms = ?, started_ms = ?, finished_ms = NULL, error = NULL, "
        "log_tail = NULL WHERE id = ? AND state = 'queued'")));
    start.Bind(1, lease_id).Bind(2, worker_id).Bind(3, lease_expires_ms).Bind(4, now_ms).Bind(5, job_id);
    FS_ASSIGN_OR_RETURN(int64_t changed, start.Run());
    if (changed != 1) return absl::InternalError(absl::StrCat(JobName(table, job_id), " is not queued"));
  }
  // Rows of an earlier attempt would mix two runs' results; the epochs a resumed run starts after
  // are that run's own history.
  if (table == JobTable::kPredict) {
    return DeleteProbRows(txn, ChunkTable::kEval, job_id);
  }
  FS_ASSIGN_OR_RETURN(Statement metrics, txn.Prepare("DELETE FROM metrics WHERE job_id = ? AND epoch > ?"));
  FS_RETURN_IF_ERROR(metrics.Bind(1, job_id).Bind(2, resumed_epoch).Run().status());
  return DeleteProbRows(txn, ChunkTable::kOof, job_id);
}

absl::Status EndAttempt(Transaction& txn, JobTable table, int64_t job_id, bool requeue, const std::string& error,
                        const std::string& log_tail, int64_t now_ms) {
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

absl::StatusOr<std::vector<ExpiredLease>> FindExpiredLeases(Transaction& txn, int64_t now_ms) {
  std::vector<ExpiredLease> expired;
  for (JobTable table : {JobTable::kTrain, JobTable::kPredict}) {
    FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(absl::StrCat(
        "SELECT j.id, j.worker_id, COALESCE(w.hostname, '?') FROM ", TableName(table), " j "
        "LEFT JOIN workers w ON w.id = j.worker_id WHERE j.state = 'running' AND j.lease_expires_ms < ? "
        "ORDER BY j.id")));
    find.Bind(1, now_ms);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      expired.push_back({table, find.Int(0), find.Text(1), find.Text(2)});
    }
  }
  return expired;
}

absl::Status CheckProbRows(const std::string& what, size_t n, absl::Span<const float> probs, int32_t classes,
                           int32_t num_classes) {
  if (classes != num_classes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": predictions have ", classes, " classes, the job's rows have ", num_classes,
                     " (the dataset's classes, or its trial's head's)"));
  }
  if (probs.size() != n * static_cast<size_t>(classes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", probs.size(), " probabilities for ", n, " samples x ", classes, " classes"));
  }
  for (size_t row = 0; row < n; ++row) {
    double sum = 0;
    for (int32_t c = 0; c < classes; ++c) {
      const float p = probs[row * classes + c];
      if (!std::isfinite(p) || p < 0) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": row ", row, ": probability ", p,
                                                       "; expected a finite number from 0 to 1"));
      }
      sum += p;
    }
    // float32 softmax rows sum to 1 within ~1e-6; a wider tolerance admits averaged rows.
    if (std::abs(sum - 1.0) > 1e-3) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": row ", row, ": probabilities sum to ", sum,
                                                     "; expected 1"));
    }
  }
  return absl::OkStatus();
}

namespace {

// Both launch queries start with these columns: lease_id and attempt of the leased job (alias
// `own`), sweep_id, trial_id and fold of the training job (alias j), dataset root, num_classes,
// params_json (trials t); then the kind's own `extra` columns.
std::string LaunchSql(absl::string_view own, absl::string_view root, absl::string_view classes,
                      absl::string_view extra, absl::string_view from) {
  return absl::StrCat("SELECT ", own, ".lease_id, ", own, ".attempt, j.sweep_id, j.trial_id, j.fold, ", root, ", ",
                      classes, ", t.params_json, ", extra, " ", from);
}

// Runs a LaunchSql query for the launch's job and reads the common columns; false when the job
// is unknown.
absl::StatusOr<bool> LoadCommonLaunch(Statement& load, JobLaunch* launch) {
  load.Bind(1, launch->job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return false;
  launch->lease_id = load.Int(0);
  launch->attempt = static_cast<int32_t>(load.Int(1));
  launch->sweep_id = load.Int(2);
  launch->trial_id = load.Int(3);
  launch->fold = static_cast<int32_t>(load.Int(4));
  launch->dataset_root = load.Text(5);
  launch->num_classes = static_cast<int32_t>(load.Int(6));
  launch->params_json = load.Text(7);
  return true;
}

// The sweep's stored spec, or an empty one where an old or hand-made row holds no JSON.
constexpr char kSpec[] = "(CASE WHEN json_valid(s.spec_json) THEN s.spec_json ELSE '{}' END)";

absl::Status LoadTrainLaunch(Transaction& txn, JobLaunch* launch) {
  FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(LaunchSql(
      "j", "d.root", "d.num_classes",
      absl::StrCat("s.split_id, d.kind, s.metric, s.goal, COALESCE(json_extract(", kSpec, ", '$.program'), ''), ",
                   "COALESCE(json_extract(", kSpec, ", '$.command'), '[]'), COALESCE(json_extract(", kSpec,
                   ", '$.resume'), 1), COALESCE(json_extract(", kSpec, ", '$.dataset.extra_train'), '[]')"),
      "FROM jobs j JOIN sweeps s ON s.id = j.sweep_id JOIN datasets d ON d.id = s.dataset_id "
      "JOIN trials t ON t.id = j.trial_id WHERE j.id = ?")));
  FS_ASSIGN_OR_RETURN(bool found, LoadCommonLaunch(load, launch));
  if (!found) return absl::NotFoundError(absl::StrCat(JobName(launch->table, launch->job_id), " not found"));
  launch->split_id = load.Int(8);
  launch->dataset_kind = load.Text(9);
  launch->objective_metric = load.Text(10);
  launch->objective_minimize = load.Text(11) == "minimize";
  launch->program = load.Text(12);
  FS_ASSIGN_OR_RETURN(launch->command, ParseStringList(load.Text(13)));
  launch->resume = load.Int(14) != 0;
  FS_ASSIGN_OR_RETURN(launch->extra_train, ParseExtraTrain(load.Text(15)));
  return absl::OkStatus();
}

// A prediction job runs its training job's checkpoint with that trial's settings over the eval
// images, which are files under the eval root as in the mask layout.
absl::Status LoadPredictLaunch(Transaction& txn, JobLaunch* launch) {
  {
    FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(LaunchSql(
        "pj", "r.eval_root", "r.num_classes", "pj.run_id, pj.train_job_id, j.checkpoint_path",
        "FROM prediction_jobs pj JOIN prediction_runs r ON r.id = pj.run_id JOIN jobs j ON j.id = pj.train_job_id "
        "JOIN trials t ON t.id = j.trial_id WHERE pj.id = ?")));
    FS_ASSIGN_OR_RETURN(bool found, LoadCommonLaunch(load, launch));
    if (!found) return absl::NotFoundError(absl::StrCat(JobName(launch->table, launch->job_id), " not found"));
    launch->dataset_kind = "mask";
    launch->run_id = load.Int(8);
    launch->train_job_id = load.Int(9);
    launch->checkpoint_path = load.Text(10);
  }
  FS_ASSIGN_OR_RETURN(Statement keys, txn.Prepare(
      "SELECT image_key FROM prediction_images WHERE run_id = ? ORDER BY idx"));
  keys.Bind(1, launch->run_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, keys.Step());
    if (!row) break;
    launch->image_keys.push_back(keys.Text(0));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<JobLaunch> LoadLaunch(Transaction& txn, JobTable table, int64_t job_id) {
  JobLaunch launch;
  launch.table = table;
  launch.job_id = job_id;
  FS_RETURN_IF_ERROR(table == JobTable::kTrain ? LoadTrainLaunch(txn, &launch) : LoadPredictLaunch(txn, &launch));
  return launch;
}

}  // namespace foldstack::coordinator
