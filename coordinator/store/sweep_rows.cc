#include "coordinator/store/sweep_rows.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

// One row per sweep (all sweeps when the bound id is 0), newest first.
constexpr char kSummarySql[] =
    "SELECT s.id, s.name, s.state, s.created_ms, d.kind, d.root, sp.k, "
    "  (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id), "
    "  COUNT(j.id), "
    "  COALESCE(SUM(j.state = 'queued'), 0), COALESCE(SUM(j.state = 'running'), 0), "
    "  COALESCE(SUM(j.state = 'done'), 0), COALESCE(SUM(j.state = 'failed'), 0), "
    "  COALESCE(SUM(j.state = 'cancelled'), 0), "
    "  AVG(CASE WHEN j.state = 'done' THEN j.seconds END), "
    "  (SELECT MAX(m) FROM (SELECT AVG(b.macro_f1) AS m FROM jobs b "
    "   WHERE b.sweep_id = s.id AND b.state = 'done' GROUP BY b.trial_id)), "
    "  d.label_version, COALESCE(SUM(j.state = 'pruned'), 0), s.metric, s.goal, "
    "  (SELECT CASE s.goal WHEN 'minimize' THEN MIN(v) ELSE MAX(v) END FROM (SELECT AVG(b.value) AS v "
    "   FROM jobs b WHERE b.sweep_id = s.id AND b.state = 'done' GROUP BY b.trial_id)), s.paused, "
    "  COALESCE(json_extract(s.spec_json, '$.method'), ''), s.trial_budget, s.finished_ms "
    "FROM sweeps s JOIN datasets d ON d.id = s.dataset_id JOIN splits sp ON sp.id = s.split_id "
    "LEFT JOIN jobs j ON j.sweep_id = s.id "
    "WHERE (?1 = 0 OR s.id = ?1) AND s.id < ?2 GROUP BY s.id ORDER BY s.id DESC LIMIT ?3";

std::optional<double> OptionalDouble(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Double(column);
}

int32_t Int32(const Statement& row, int column) { return static_cast<int32_t>(row.Int(column)); }

SweepRow ReadSweepRow(const Statement& rows) {
  SweepRow s;
  s.sweep_id = rows.Int(0);
  s.name = rows.Text(1);
  s.state = sweep::ParseSweepState(rows.Text(2)).value_or(sweep::SweepState::kRunning);
  s.created_ms = rows.Int(3);
  s.dataset_kind = rows.Text(4);
  s.dataset_root = rows.Text(5);
  s.k = Int32(rows, 6);
  s.trials = Int32(rows, 7);
  s.jobs_total = Int32(rows, 8);
  s.jobs_queued = Int32(rows, 9);
  s.jobs_running = Int32(rows, 10);
  s.jobs_done = Int32(rows, 11);
  s.jobs_failed = Int32(rows, 12);
  s.jobs_cancelled = Int32(rows, 13);
  s.mean_job_seconds = OptionalDouble(rows, 14);
  s.best_macro_f1 = OptionalDouble(rows, 15);
  s.label_version = Int32(rows, 16);
  s.jobs_pruned = Int32(rows, 17);
  s.metric = rows.Text(18);
  s.minimize = rows.Text(19) == "minimize";
  s.best_value = OptionalDouble(rows, 20);
  s.paused = rows.Int(21) != 0;
  s.method = rows.Text(22);
  s.trial_budget = Int32(rows, 23);
  s.finished_ms = rows.IsNull(24) ? 0 : rows.Int(24);
  return s;
}

}  // namespace

absl::StatusOr<std::vector<SweepRow>> LoadSweepRows(Transaction& txn, int64_t sweep_id, int64_t before_id,
                                                    int64_t limit) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(kSummarySql));
  rows.Bind(1, sweep_id).Bind(2, before_id).Bind(3, limit);
  std::vector<SweepRow> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    out.push_back(ReadSweepRow(rows));
  }
  return out;
}

absl::StatusOr<int64_t> CountWorkersSeenSince(Transaction& txn, int64_t since_ms) {
  FS_ASSIGN_OR_RETURN(Statement count, txn.Prepare(
      "SELECT COUNT(*) FROM workers WHERE last_heartbeat_ms >= ?"));
  count.Bind(1, since_ms);
  FS_ASSIGN_OR_RETURN(bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::StatusOr<std::string> LoadSweepYaml(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement yaml, txn.Prepare("SELECT yaml FROM sweeps WHERE id = ?"));
  yaml.Bind(1, sweep_id);
  FS_ASSIGN_OR_RETURN(bool row, yaml.Step());
  return row ? yaml.Text(0) : std::string();
}

absl::StatusOr<std::vector<JobRow>> LoadJobRows(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement jobs, txn.Prepare(
      "SELECT id, trial_id, fold, state, attempt, COALESCE(worker_id, ''), "
      "COALESCE(macro_f1, 0), COALESCE(error, ''), value, COALESCE(stopped_epoch, 0) "
      "FROM jobs WHERE sweep_id = ? ORDER BY id"));
  jobs.Bind(1, sweep_id);
  std::vector<JobRow> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row) break;
    JobRow job;
    job.job_id = jobs.Int(0);
    job.trial_id = jobs.Int(1);
    job.fold = Int32(jobs, 2);
    job.state = sweep::ParseJobState(jobs.Text(3)).value_or(sweep::JobState::kQueued);
    job.attempt = Int32(jobs, 4);
    job.worker_id = jobs.Text(5);
    job.macro_f1 = jobs.Double(6);
    job.error = jobs.Text(7);
    job.value = OptionalDouble(jobs, 8);
    job.stopped_epoch = Int32(jobs, 9);
    out.push_back(std::move(job));
  }
  return out;
}

absl::StatusOr<std::vector<LeaderRow>> LoadLeaderRows(Transaction& txn, int64_t sweep_id, bool minimize) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(absl::StrCat(
      "SELECT trial_id, params, folds_done, macro_f1_mean, macro_f1_std, accuracy_mean, "
      "value_mean, value_std, trial_state FROM v_leaderboard WHERE sweep_id = ? "
      "ORDER BY value_mean IS NULL, value_mean ", minimize ? "ASC" : "DESC", ", trial_id")));
  rows.Bind(1, sweep_id);
  std::vector<LeaderRow> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    LeaderRow r;
    r.trial_id = rows.Int(0);
    r.params_json = rows.Text(1);
    r.folds_done = Int32(rows, 2);
    r.macro_f1_mean = rows.Double(3);
    r.macro_f1_std = rows.Double(4);
    r.accuracy_mean = rows.Double(5);
    r.value_mean = OptionalDouble(rows, 6);
    r.value_std = OptionalDouble(rows, 7);
    r.trial_state = sweep::ParseTrialState(rows.Text(8)).value_or(sweep::TrialState::kRunning);
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<int64_t> CancelSweepRows(Transaction& txn, int64_t sweep_id, int64_t now_ms) {
  int64_t cancelled = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement cancel, txn.Prepare(
        "UPDATE jobs SET state = 'cancelled', lease_expires_ms = NULL, finished_ms = ? "
        "WHERE sweep_id = ? AND state IN ('queued', 'running')"));
    FS_ASSIGN_OR_RETURN(cancelled, cancel.Bind(1, now_ms).Bind(2, sweep_id).Run());
  }
  {
    FS_ASSIGN_OR_RETURN(Statement trials, txn.Prepare(
        "UPDATE trials SET state = 'cancelled' WHERE sweep_id = ? AND state = 'running'"));
    FS_RETURN_IF_ERROR(trials.Bind(1, sweep_id).Run().status());
  }
  FS_ASSIGN_OR_RETURN(Statement sweep, txn.Prepare(
      "UPDATE sweeps SET state = 'cancelled', finished_ms = ? WHERE id = ?"));
  FS_RETURN_IF_ERROR(sweep.Bind(1, now_ms).Bind(2, sweep_id).Run().status());
  return cancelled;
}

}  // namespace foldstack::coordinator
