#include "coordinator/store/study_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunk_store.h"

namespace foldstack::coordinator {
namespace {

using sweep::JobState;
using sweep::TrialState;


absl::Status LoadTrials(Transaction& txn, int64_t sweep_id, sweep::StudyView& view,
                        std::map<int64_t, size_t>& position) {
  FS_ASSIGN_OR_RETURN(Statement trials, txn.Prepare(
      "SELECT id, idx, state, params_json FROM trials WHERE sweep_id = ? ORDER BY idx"));
  trials.Bind(1, sweep_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, trials.Step());
    if (!row) break;
    sweep::TrialView trial;
    trial.id = trials.Int(0);
    trial.index = static_cast<int>(trials.Int(1));
    trial.state = sweep::ParseTrialState(trials.Text(2)).value_or(TrialState::kRunning);
    trial.params = nlohmann::json::parse(trials.Text(3), nullptr, false);
    trial.jobs.resize(static_cast<size_t>(view.k));
    for (int f = 0; f < view.k; ++f) trial.jobs[static_cast<size_t>(f)].fold = f;
    position[trial.id] = view.trials.size();
    view.trials.push_back(std::move(trial));
  }
  return absl::OkStatus();
}

absl::Status LoadJobs(Transaction& txn, int64_t sweep_id, sweep::StudyView& view,
                      const std::map<int64_t, size_t>& position) {
  FS_ASSIGN_OR_RETURN(Statement jobs, txn.Prepare(
      "SELECT trial_id, fold, state, value FROM jobs WHERE sweep_id = ?"));
  jobs.Bind(1, sweep_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row) break;
    auto at = position.find(jobs.Int(0));
    const int fold = static_cast<int>(jobs.Int(1));
    if (at == position.end() || fold < 0 || fold >= view.k) continue;
    sweep::JobView& job = view.trials[at->second].jobs[static_cast<size_t>(fold)];
    job.state = sweep::ParseJobState(jobs.Text(2)).value_or(JobState::kQueued);
    if (!jobs.IsNull(3)) job.value = jobs.Double(3);
  }
  return absl::OkStatus();
}

absl::Status LoadCurves(Transaction& txn, int64_t sweep_id, sweep::StudyView& view,
                        const std::map<int64_t, size_t>& position) {
  FS_ASSIGN_OR_RETURN(Statement curves, txn.Prepare(
      "SELECT j.trial_id, j.fold, m.epoch, m.value FROM metrics m JOIN jobs j ON j.id = m.job_id "
      "WHERE j.sweep_id = ? AND m.name = ? AND m.epoch >= 1"));
  curves.Bind(1, sweep_id).Bind(2, view.objective.metric);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, curves.Step());
    if (!row) break;
    auto at = position.find(curves.Int(0));
    const int fold = static_cast<int>(curves.Int(1));
    if (at == position.end() || fold < 0 || fold >= view.k) continue;
    std::vector<std::optional<double>>& curve =
        view.trials[at->second].jobs[static_cast<size_t>(fold)].curve;
    const size_t epoch = static_cast<size_t>(curves.Int(2));
    if (curve.size() < epoch) curve.resize(epoch);
    if (!curves.IsNull(3)) curve[epoch - 1] = curves.Double(3);
  }
  return absl::OkStatus();
}

void FillTrialValues(sweep::StudyView& view) {
  for (sweep::TrialView& trial : view.trials) {
    double sum = 0;
    int n = 0;
    for (const sweep::JobView& job : trial.jobs) {
      if (job.state == JobState::kDone && job.value.has_value()) sum += *job.value, ++n;
    }
    if (n > 0) trial.value = sum / n;
  }
}

}  // namespace

absl::StatusOr<SweepControl> LoadSweepControl(Transaction& txn, int64_t sweep_id) {
  SweepControl control;
  control.sweep_id = sweep_id;
  {
    FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(
        "SELECT s.state, s.paused, s.trial_budget, s.max_concurrent_trials, s.gate_folds, sp.k, "
        "s.yaml, s.base_dir, s.metric, s.goal FROM sweeps s JOIN splits sp ON sp.id = s.split_id "
        "WHERE s.id = ?"));
    load.Bind(1, sweep_id);
    FS_ASSIGN_OR_RETURN(bool found, load.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("sweep ", sweep_id, " not found"));
    control.state = sweep::ParseSweepState(load.Text(0)).value_or(sweep::SweepState::kRunning);
    control.paused = load.Int(1) != 0;
    control.trial_budget = load.Int(2);
    control.max_concurrent_trials = static_cast<int32_t>(load.Int(3));
    control.gate_folds = static_cast<int32_t>(load.Int(4));
    control.k = static_cast<int32_t>(load.Int(5));
    control.yaml = load.Text(6);
    control.base_dir = load.Text(7);
    control.objective.metric = load.Text(8);
    control.objective.goal = load.Text(9) == "minimize" ? sweep::Goal::kMinimize : sweep::Goal::kMaximize;
  }
  return control;
}

absl::StatusOr<SweepProgress> LoadSweepProgress(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement counts, txn.Prepare(
      "SELECT (SELECT COUNT(*) FROM trials WHERE sweep_id = ?1), "
      "(SELECT COUNT(*) FROM trials WHERE sweep_id = ?1 AND state = 'running'), "
      "EXISTS(SELECT 1 FROM jobs WHERE sweep_id = ?1 AND state IN ('queued', 'running')), "
      "EXISTS(SELECT 1 FROM jobs WHERE sweep_id = ?1 AND state = 'failed')"));
  counts.Bind(1, sweep_id);
  FS_ASSIGN_OR_RETURN(bool row, counts.Step());
  if (!row) return absl::InternalError("sweep counts: no row");
  SweepProgress progress;
  progress.trials = counts.Int(0);
  progress.open_trials = counts.Int(1);
  progress.jobs_open = counts.Int(2) != 0;
  progress.jobs_failed = counts.Int(3) != 0;
  return progress;
}

absl::StatusOr<sweep::StudyView> LoadStudyView(Transaction& txn, const SweepControl& sweep) {
  const int64_t sweep_id = sweep.sweep_id;
  sweep::StudyView view;
  view.objective = sweep.objective;
  view.k = sweep.k;
  std::map<int64_t, size_t> position;
  FS_RETURN_IF_ERROR(LoadTrials(txn, sweep_id, view, position));
  FS_RETURN_IF_ERROR(LoadJobs(txn, sweep_id, view, position));
  FS_RETURN_IF_ERROR(LoadCurves(txn, sweep_id, view, position));
  FillTrialValues(view);
  return view;
}

absl::StatusOr<int64_t> InsertTrial(Transaction& txn, int64_t sweep_id, const std::string& params_json,
                                    int32_t k, int64_t now_ms) {
  int64_t trial_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement trial, txn.Prepare(
        "INSERT INTO trials(sweep_id, idx, params_json, state) VALUES(?1, "
        "(SELECT COUNT(*) FROM trials WHERE sweep_id = ?1), ?2, 'running') RETURNING id"));
    trial.Bind(1, sweep_id).Bind(2, params_json);
    FS_ASSIGN_OR_RETURN(bool row, trial.Step());
    if (!row) return absl::InternalError("insert trial: no id returned");
    trial_id = trial.Int(0);
    FS_RETURN_IF_ERROR(trial.Step().status());
  }
  FS_ASSIGN_OR_RETURN(Statement job, txn.Prepare(
      "INSERT INTO jobs(sweep_id, trial_id, fold, queued_ms) VALUES(?, ?, ?, ?)"));
  for (int32_t fold = 0; fold < k; ++fold) {
    job.Reset();
    job.Bind(1, sweep_id).Bind(2, trial_id).Bind(3, fold).Bind(4, now_ms);
    FS_RETURN_IF_ERROR(job.Run().status());
  }
  return trial_id;
}

absl::Status FinishSweep(Transaction& txn, int64_t sweep_id, sweep::SweepState state, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement finish, txn.Prepare(
      "UPDATE sweeps SET state = ?, finished_ms = ? WHERE id = ? AND state = 'running'"));
  finish.Bind(1, std::string(sweep::SweepStateName(state))).Bind(2, now_ms).Bind(3, sweep_id);
  return finish.Run().status();
}

absl::Status RefreshTrialState(Transaction& txn, int64_t trial_id) {
  FS_ASSIGN_OR_RETURN(Statement refresh, txn.Prepare(
      "UPDATE trials SET state = CASE "
      "  WHEN EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = ?1 AND j.state IN ('queued', 'running')) "
      "    THEN 'running' "
      "  WHEN NOT EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = ?1 AND j.state != 'done') THEN 'done' "
      "  WHEN EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = ?1 AND j.state = 'failed') THEN 'failed' "
      "  ELSE 'cancelled' END "
      "WHERE id = ?1 AND state = 'running'"));
  return refresh.Bind(1, trial_id).Run().status();
}

absl::Status PruneJob(Transaction& txn, int64_t job_id, const sweep::Objective& objective,
                      int64_t now_ms) {
  {
    const char* best = objective.goal == sweep::Goal::kMinimize ? "MIN" : "MAX";
    FS_ASSIGN_OR_RETURN(Statement prune, txn.Prepare(absl::StrCat(
        "UPDATE jobs SET state = 'pruned', lease_expires_ms = NULL, finished_ms = ?1, "
        "value = (SELECT ", best, "(value) FROM metrics WHERE job_id = ?2 AND name = ?3), "
        "stopped_epoch = (SELECT MAX(epoch) FROM metrics WHERE job_id = ?2) "
        "WHERE id = ?2 AND state = 'running'")));
    prune.Bind(1, now_ms).Bind(2, job_id).Bind(3, objective.metric);
    FS_RETURN_IF_ERROR(prune.Run().status());
  }
  // OOF analysis uses trials with every fold done; a pruned job keeps metrics, never predictions.
  return DeleteProbRows(txn, ChunkTable::kOof, job_id);
}

absl::StatusOr<int64_t> PruneTrial(Transaction& txn, int64_t trial_id, const std::string& reason,
                                   const sweep::Objective& objective, int64_t now_ms) {
  std::vector<int64_t> running;
  {
    FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(
        "SELECT id FROM jobs WHERE trial_id = ? AND state = 'running'"));
    find.Bind(1, trial_id);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      running.push_back(find.Int(0));
    }
  }
  for (int64_t job_id : running) FS_RETURN_IF_ERROR(PruneJob(txn, job_id, objective, now_ms));
  int64_t cancelled = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement cancel, txn.Prepare(
        "UPDATE jobs SET state = 'cancelled', finished_ms = ? WHERE trial_id = ? AND state = 'queued'"));
    FS_ASSIGN_OR_RETURN(cancelled, cancel.Bind(1, now_ms).Bind(2, trial_id).Run());
  }
  FS_ASSIGN_OR_RETURN(Statement trial, txn.Prepare(
      "UPDATE trials SET state = 'pruned', stop_reason = ? WHERE id = ?"));
  FS_RETURN_IF_ERROR(trial.Bind(1, reason).Bind(2, trial_id).Run().status());
  return static_cast<int64_t>(running.size()) + cancelled;
}

absl::Status UpdateSweepControls(Transaction& txn, int64_t sweep_id, std::optional<bool> paused,
                                 int64_t extend_by, std::optional<int32_t> max_concurrent_trials) {
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(txn, sweep_id));
  if (control.state != sweep::SweepState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sweep ", sweep_id, " already ended (", std::string(sweep::SweepStateName(control.state)), ")"));
  }
  FS_ASSIGN_OR_RETURN(Statement update, txn.Prepare(
      "UPDATE sweeps SET paused = COALESCE(?2, paused), trial_budget = trial_budget + ?3, "
      "max_concurrent_trials = COALESCE(?4, max_concurrent_trials) WHERE id = ?1"));
  update.Bind(1, sweep_id).Bind(3, extend_by);
  if (paused.has_value()) update.Bind(2, *paused ? 1 : 0); else update.BindNull(2);
  if (max_concurrent_trials.has_value()) update.Bind(4, *max_concurrent_trials); else update.BindNull(4);
  return update.Run().status();
}

absl::StatusOr<TrialOwner> LoadTrialOwner(Transaction& txn, int64_t trial_id) {
  FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare("SELECT sweep_id, state FROM trials WHERE id = ?"));
  find.Bind(1, trial_id);
  FS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("trial ", trial_id, " not found"));
  return TrialOwner{find.Int(0), sweep::ParseTrialState(find.Text(1)).value_or(TrialState::kRunning)};
}

absl::StatusOr<std::vector<TrialRecord>> LoadTrialRecords(Transaction& txn, int64_t sweep_id,
                                                          int64_t after_index, int32_t limit) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(
      "SELECT t.id, t.idx, t.state, t.params_json, COALESCE(t.stop_reason, ''), "
      "  (SELECT COUNT(*) FROM jobs j WHERE j.trial_id = t.id AND j.state = 'done'), "
      "  (SELECT AVG(j.value) FROM jobs j WHERE j.trial_id = t.id AND j.state = 'done'), "
      "  (SELECT COALESCE(MAX(j.stopped_epoch), 0) FROM jobs j WHERE j.trial_id = t.id) "
      "FROM trials t WHERE t.sweep_id = ? AND t.idx > ? ORDER BY t.idx LIMIT ?"));
  rows.Bind(1, sweep_id).Bind(2, after_index).Bind(3, limit);
  std::vector<TrialRecord> records;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    TrialRecord r;
    r.trial_id = rows.Int(0);
    r.index = static_cast<int32_t>(rows.Int(1));
    r.state = sweep::ParseTrialState(rows.Text(2)).value_or(TrialState::kRunning);
    r.params_json = rows.Text(3);
    r.stop_reason = rows.Text(4);
    r.folds_done = static_cast<int32_t>(rows.Int(5));
    if (!rows.IsNull(6)) r.value = rows.Double(6);
    r.stopped_epoch = static_cast<int32_t>(rows.Int(7));
    records.push_back(std::move(r));
  }
  return records;
}

absl::Status SetDoneJobValue(Transaction& txn, int64_t job_id, const std::string& metric,
                             int32_t best_epoch, double fallback) {
  FS_ASSIGN_OR_RETURN(Statement set, txn.Prepare(
      "UPDATE jobs SET value = COALESCE((SELECT value FROM metrics WHERE job_id = ?1 AND "
      "epoch = ?2 AND name = ?3), ?4) WHERE id = ?1"));
  return set.Bind(1, job_id).Bind(2, best_epoch).Bind(3, metric).Bind(4, fallback).Run().status();
}

absl::StatusOr<std::vector<JobCurveRecord>> LoadJobCurves(Transaction& txn, int64_t sweep_id,
                                                          const std::string& metric, int64_t after_index,
                                                          int32_t limit) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(
      "SELECT t.id, t.idx, j.fold, j.state, m.epoch, m.value "
      "FROM (SELECT id, idx FROM trials WHERE sweep_id = ?1 AND idx > ?2 ORDER BY idx LIMIT ?3) t "
      "JOIN jobs j ON j.trial_id = t.id "
      "LEFT JOIN metrics m ON m.job_id = j.id AND m.name = ?4 AND m.epoch >= 1"));
  // No ORDER BY: sorting a large sweep's metric rows cost more than the query (measured,
  // tests/bench/run_dashboard_bench.sh); rows are put in (trial index, fold) order here.
  rows.Bind(1, sweep_id).Bind(2, after_index).Bind(3, static_cast<int64_t>(limit)).Bind(4, metric);
  std::map<std::pair<int32_t, int32_t>, JobCurveRecord> by_job;
  JobCurveRecord* job = nullptr;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    const int64_t trial_id = rows.Int(0);
    const int32_t fold = static_cast<int32_t>(rows.Int(2));
    if (job == nullptr || job->trial_id != trial_id || job->fold != fold) {
      auto [it, added] = by_job.try_emplace({static_cast<int32_t>(rows.Int(1)), fold});
      job = &it->second;
      if (added) {
        *job = {trial_id, static_cast<int32_t>(rows.Int(1)), fold,
                sweep::ParseJobState(rows.Text(3)).value_or(sweep::JobState::kQueued), {}};
      }
    }
    if (rows.IsNull(4)) continue;  // no epochs yet
    std::vector<std::optional<double>>& curve = job->curve;
    const size_t epoch = static_cast<size_t>(rows.Int(4));
    if (curve.size() < epoch) curve.resize(epoch);
    if (!rows.IsNull(5)) curve[epoch - 1] = rows.Double(5);
  }
  std::vector<JobCurveRecord> curves;
  curves.reserve(by_job.size());
  for (auto& [key, record] : by_job) curves.push_back(std::move(record));
  return curves;
}

}  // namespace foldstack::coordinator
