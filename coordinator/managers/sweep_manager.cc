#include "coordinator/managers/sweep_manager.h"

#include "coordinator/managers/wire_states.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "coordinator/store/study_store.h"
#include "coordinator/store/label_store.h"
#include "common/status_macros.h"
#include "coordinator/store/sweep_store.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

// One row per sweep (all sweeps when the bound id is 0), newest first.
constexpr char kSummarySql[] =
    "SELECT s.id, s.name, s.state, s.created_ms, d.kind, d.root, sp.k, "
    "  (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id), "
    "  COUNT(j.id), "
    "  COALESCE(SUM(j.state = 'queued'), 0), COALESCE(SUM(j.state = 'running'), 0), "
    "  COALESCE(SUM(j.state = 'done'), 0), COALESCE(SUM(j.state = 'failed'), 0), "
    "  COALESCE(SUM(j.state = 'cancelled'), 0), "
    "  AVG(CASE WHEN j.state = 'done' THEN j.seconds END), "
    "  (SELECT MAX(l.macro_f1_mean) FROM v_leaderboard l WHERE l.sweep_id = s.id), "
    "  d.label_version, COALESCE(SUM(j.state = 'pruned'), 0), s.metric, s.goal, "
    "  (SELECT CASE s.goal WHEN 'minimize' THEN MIN(l.value_mean) ELSE MAX(l.value_mean) END "
    "   FROM v_leaderboard l WHERE l.sweep_id = s.id), s.paused, "
    "  COALESCE(json_extract(s.spec_json, '$.method'), ''), s.trial_budget "
    "FROM sweeps s JOIN datasets d ON d.id = s.dataset_id JOIN splits sp ON sp.id = s.split_id "
    "LEFT JOIN jobs j ON j.sweep_id = s.id "
    "WHERE ?1 = 0 OR s.id = ?1 GROUP BY s.id ORDER BY s.id DESC";

absl::StatusOr<int64_t> AliveWorkers(Transaction& txn, int64_t since_ms) {
  FS_ASSIGN_OR_RETURN(Statement count, txn.Prepare(
      "SELECT COUNT(*) FROM workers WHERE last_heartbeat_ms >= ?"));
  count.Bind(1, since_ms);
  FS_ASSIGN_OR_RETURN(bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::Status LoadSummaries(Transaction& txn, int64_t sweep_id, int64_t alive_workers,
                           std::vector<foldstack::v1::SweepSummary>* out) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(kSummarySql));
  rows.Bind(1, sweep_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    foldstack::v1::SweepSummary s;
    s.set_sweep_id(rows.Int(0));
    s.set_name(rows.Text(1));
    s.set_state(SweepStateToWire(rows.Text(2)));
    s.set_created_unix_ms(rows.Int(3));
    s.set_dataset_kind(rows.Text(4));
    s.set_dataset_root(rows.Text(5));
    s.set_k(static_cast<int32_t>(rows.Int(6)));
    s.set_trials(static_cast<int32_t>(rows.Int(7)));
    s.set_jobs_total(static_cast<int32_t>(rows.Int(8)));
    s.set_jobs_queued(static_cast<int32_t>(rows.Int(9)));
    s.set_jobs_running(static_cast<int32_t>(rows.Int(10)));
    s.set_jobs_done(static_cast<int32_t>(rows.Int(11)));
    s.set_jobs_failed(static_cast<int32_t>(rows.Int(12)));
    s.set_jobs_cancelled(static_cast<int32_t>(rows.Int(13)));
    const int64_t remaining = s.jobs_queued() + s.jobs_running();
    if (remaining == 0) {
      s.set_eta_seconds(0);
    } else if (rows.IsNull(14)) {
      s.set_eta_seconds(-1);
    } else {
      s.set_eta_seconds(rows.Double(14) * static_cast<double>(remaining) /
                        static_cast<double>(std::max<int64_t>(1, alive_workers)));
    }
    s.set_best_macro_f1(rows.IsNull(15) ? -1.0 : rows.Double(15));
    s.set_label_version(static_cast<int32_t>(rows.Int(16)));
    s.set_jobs_pruned(static_cast<int32_t>(rows.Int(17)));
    s.set_metric(rows.Text(18));
    s.set_minimize(rows.Text(19) == "minimize");
    s.set_best_value(rows.IsNull(20) ? std::nan("") : rows.Double(20));
    s.set_paused(rows.Int(21) != 0);
    s.set_method(rows.Text(22));
    s.set_trial_budget(static_cast<int32_t>(rows.Int(23)));
    out->push_back(std::move(s));
  }
  return absl::OkStatus();
}

}  // namespace

SweepManager::SweepManager(SqliteDb& db, Clock& clock, JobManagerOptions options)
    : db_(db), clock_(clock), options_(options) {}

absl::StatusOr<foldstack::v1::SubmitSweepResponse> SweepManager::CreateSweep(
    const NewSweep& sweep) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(int64_t dataset_id, EnsureDataset(db_, sweep.dataset, now));  // original labels
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> split_id, FindSplit(db_, dataset_id, sweep.split));
  if (!split_id.has_value()) {
    if (!sweep.assign_folds) {
      return absl::InvalidArgumentError(absl::StrCat("sweep ", sweep.name,
                                                     ": no stored split and no fold assigner"));
    }
    // Computed outside any transaction: splitting a large dataset must not block the workers.
    FS_ASSIGN_OR_RETURN(std::vector<int32_t> folds, sweep.assign_folds(sweep.dataset, sweep.split));
    FS_ASSIGN_OR_RETURN(split_id, InsertSplit(db_, dataset_id, sweep.split, folds, now));
  }
  FS_ASSIGN_OR_RETURN(const int32_t latest, LatestLabelVersion(db_, dataset_id));
  if (sweep.label_version > latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        sweep.file_name, ": labels: dataset ", sweep.dataset.root, " has no label version ",
        sweep.label_version, " (versions 0..", latest, "; see foldstack relabel accept)"));
  }
  const int32_t version =
      sweep.label_version < 0 ? latest : static_cast<int32_t>(sweep.label_version);
  if (version > 0) {
    FS_ASSIGN_OR_RETURN(dataset_id, EnsureLabelledDataset(db_, dataset_id, version, now));
    FS_ASSIGN_OR_RETURN(split_id, EnsureLabelledSplit(db_, *split_id, dataset_id, now));
  }
  SweepRecord record;
  record.name = sweep.name;
  record.yaml = sweep.yaml;
  record.spec_json = sweep.spec_json;
  record.dataset_id = dataset_id;
  record.split_id = *split_id;
  record.max_attempts = sweep.max_attempts;
  record.submitted_by = sweep.submitted_by;
  record.trial_params_json = sweep.trial_params_json;
  record.trial_budget = sweep.trial_budget;
  record.max_concurrent_trials = sweep.max_concurrent_trials;
  record.gate_folds = sweep.gate_folds;
  record.base_dir = sweep.base_dir;
  record.metric = sweep.metric;
  record.minimize = sweep.minimize;
  return InsertSweep(db_, record, now);
}

absl::StatusOr<foldstack::v1::ListSweepsResponse> SweepManager::ListSweeps(
    const foldstack::v1::ListSweepsRequest&) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, AliveWorkers(*txn, now - options_.lease_ttl_ms));
  std::vector<foldstack::v1::SweepSummary> summaries;
  FS_RETURN_IF_ERROR(LoadSummaries(*txn, 0, alive, &summaries));
  foldstack::v1::ListSweepsResponse response;
  for (auto& s : summaries) *response.add_sweeps() = std::move(s);
  return response;
}

absl::StatusOr<foldstack::v1::ShowSweepResponse> SweepManager::ShowSweep(
    const foldstack::v1::ShowSweepRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, AliveWorkers(*txn, now - options_.lease_ttl_ms));
  std::vector<foldstack::v1::SweepSummary> summaries;
  if (request.sweep_id() > 0) {
    FS_RETURN_IF_ERROR(LoadSummaries(*txn, request.sweep_id(), alive, &summaries));
  }
  if (summaries.empty()) {
    return absl::NotFoundError(absl::StrCat("sweep ", request.sweep_id(), " not found"));
  }
  foldstack::v1::ShowSweepResponse response;
  *response.mutable_summary() = std::move(summaries[0]);
  {
    FS_ASSIGN_OR_RETURN(Statement yaml, txn->Prepare("SELECT yaml FROM sweeps WHERE id = ?"));
    yaml.Bind(1, request.sweep_id());
    FS_ASSIGN_OR_RETURN(bool row, yaml.Step());
    if (row) response.set_yaml(yaml.Text(0));
  }
  FS_ASSIGN_OR_RETURN(Statement jobs, txn->Prepare(
      "SELECT id, trial_id, fold, state, attempt, COALESCE(worker_id, ''), "
      "COALESCE(macro_f1, 0), COALESCE(error, ''), value, COALESCE(stopped_epoch, 0) "
      "FROM jobs WHERE sweep_id = ? ORDER BY id"));
  jobs.Bind(1, request.sweep_id());
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row) break;
    foldstack::v1::JobSummary* job = response.add_jobs();
    job->set_job_id(jobs.Int(0));
    job->set_trial_id(jobs.Int(1));
    job->set_fold(static_cast<int32_t>(jobs.Int(2)));
    job->set_state(JobStateToWire(jobs.Text(3)));
    job->set_attempt(static_cast<int32_t>(jobs.Int(4)));
    job->set_worker_id(jobs.Text(5));
    job->set_macro_f1(jobs.Double(6));
    job->set_error(jobs.Text(7));
    job->set_value(jobs.IsNull(8) ? std::nan("") : jobs.Double(8));
    job->set_stopped_epoch(static_cast<int32_t>(jobs.Int(9)));
  }
  return response;
}

absl::StatusOr<foldstack::v1::SweepSummary> SweepManager::Summary(int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, AliveWorkers(*txn, clock_.NowMs() - options_.lease_ttl_ms));
  std::vector<foldstack::v1::SweepSummary> summaries;
  if (sweep_id > 0) FS_RETURN_IF_ERROR(LoadSummaries(*txn, sweep_id, alive, &summaries));
  if (summaries.empty()) return absl::NotFoundError(absl::StrCat("sweep ", sweep_id, " not found"));
  return summaries[0];
}

absl::StatusOr<foldstack::v1::UpdateSweepResponse> SweepManager::UpdateSweep(
    const foldstack::v1::UpdateSweepRequest& request) {
  if (request.extend_by() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("--count: expected a positive number of trials, got ",
                                                   request.extend_by()));
  }
  if (request.has_max_concurrent_trials() && request.max_concurrent_trials() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-concurrent: expected 0 (unlimited) or more, got ", request.max_concurrent_trials()));
  }
  const int64_t now = clock_.NowMs();
  {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
    std::optional<bool> paused;
    if (request.has_paused()) paused = request.paused();
    std::optional<int32_t> limit;
    if (request.has_max_concurrent_trials()) limit = request.max_concurrent_trials();
    FS_RETURN_IF_ERROR(UpdateSweepControls(*txn, request.sweep_id(), paused, request.extend_by(), limit));
    FS_RETURN_IF_ERROR(scheduler_.Settle(*txn, request.sweep_id(), now));
    FS_RETURN_IF_ERROR(txn->Commit());
  }
  foldstack::v1::UpdateSweepResponse response;
  FS_ASSIGN_OR_RETURN(*response.mutable_summary(), Summary(request.sweep_id()));
  return response;
}

absl::StatusOr<foldstack::v1::StopTrialResponse> SweepManager::StopTrial(
    const foldstack::v1::StopTrialRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(int64_t sweep_id, SweepOfTrial(*txn, request.trial_id()));
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, sweep_id));
  foldstack::v1::StopTrialResponse response;
  response.set_sweep_id(sweep_id);
  FS_ASSIGN_OR_RETURN(std::vector<TrialRecord> trial,
                      LoadTrialRecords(*txn, sweep_id, -1, std::numeric_limits<int32_t>::max()));
  for (const TrialRecord& t : trial) {
    if (t.trial_id != request.trial_id()) continue;
    if (t.state != sweep::TrialState::kRunning) {
      return absl::FailedPreconditionError(absl::StrCat("trial ", t.trial_id, " already ended (",
                                                        std::string(sweep::TrialStateName(t.state)), ")"));
    }
  }
  FS_ASSIGN_OR_RETURN(int64_t ended,
                      PruneTrial(*txn, request.trial_id(), "stopped by hand", control.objective, now));
  response.set_jobs_ended(static_cast<int32_t>(ended));
  FS_RETURN_IF_ERROR(scheduler_.Settle(*txn, sweep_id, now));
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<foldstack::v1::ListTrialsResponse> SweepManager::ListTrials(
    const foldstack::v1::ListTrialsRequest& request) {
  const int32_t page = request.page_size() <= 0 ? 100 : std::min(request.page_size(), 1000);
  int64_t after = -1;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &after)) {
    return absl::InvalidArgumentError(absl::StrCat("page_token: not one this server gave: \"",
                                                   request.page_token(), "\""));
  }
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, request.sweep_id()));
  FS_ASSIGN_OR_RETURN(std::vector<TrialRecord> records,
                      LoadTrialRecords(*txn, request.sweep_id(), after, page + 1));
  foldstack::v1::ListTrialsResponse response;
  response.set_sweep_id(request.sweep_id());
  response.set_k(control.k);
  response.set_metric(control.objective.metric);
  response.set_minimize(control.objective.goal == sweep::Goal::kMinimize);
  for (size_t i = 0; i < records.size() && static_cast<int32_t>(i) < page; ++i) {
    const TrialRecord& r = records[i];
    foldstack::v1::TrialRow* row = response.add_trials();
    row->set_trial_id(r.trial_id);
    row->set_index(r.index);
    row->set_state(ToWire(r.state));
    row->set_folds_done(r.folds_done);
    row->set_value(r.value.value_or(std::nan("")));
    row->set_params_json(r.params_json);
    row->set_stopped_epoch(r.stopped_epoch);
    row->set_stop_reason(r.stop_reason);
  }
  if (static_cast<int32_t>(records.size()) > page) {
    response.set_next_page_token(absl::StrCat(records[static_cast<size_t>(page) - 1].index));
  }
  return response;
}

absl::StatusOr<foldstack::v1::CancelSweepResponse> SweepManager::CancelSweep(
    const foldstack::v1::CancelSweepRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  {
    FS_ASSIGN_OR_RETURN(Statement state, txn->Prepare("SELECT state FROM sweeps WHERE id = ?"));
    state.Bind(1, request.sweep_id());
    FS_ASSIGN_OR_RETURN(bool found, state.Step());
    if (!found) {
      return absl::NotFoundError(absl::StrCat("sweep ", request.sweep_id(), " not found"));
    }
    const std::string current = state.Text(0);
    if (current == "cancelled") return foldstack::v1::CancelSweepResponse();
    if (current != "running") {
      return absl::FailedPreconditionError(absl::StrCat(
          "sweep ", request.sweep_id(), " already finished (", current, ")"));
    }
  }
  foldstack::v1::CancelSweepResponse response;
  {
    FS_ASSIGN_OR_RETURN(Statement cancel, txn->Prepare(
        "UPDATE jobs SET state = 'cancelled', lease_expires_ms = NULL, finished_ms = ? "
        "WHERE sweep_id = ? AND state IN ('queued', 'running')"));
    cancel.Bind(1, now).Bind(2, request.sweep_id());
    FS_ASSIGN_OR_RETURN(int64_t cancelled, cancel.Run());
    response.set_jobs_cancelled(static_cast<int32_t>(cancelled));
  }
  {
    FS_ASSIGN_OR_RETURN(Statement trials, txn->Prepare(
        "UPDATE trials SET state = 'cancelled' WHERE sweep_id = ? AND state = 'running'"));
    FS_RETURN_IF_ERROR(trials.Bind(1, request.sweep_id()).Run().status());
  }
  {
    FS_ASSIGN_OR_RETURN(Statement sweep, txn->Prepare(
        "UPDATE sweeps SET state = 'cancelled', finished_ms = ? WHERE id = ?"));
    FS_RETURN_IF_ERROR(sweep.Bind(1, now).Bind(2, request.sweep_id()).Run().status());
  }
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<foldstack::v1::LeaderboardResponse> SweepManager::Leaderboard(
    const foldstack::v1::LeaderboardRequest& request) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  foldstack::v1::LeaderboardResponse response;
  response.set_sweep_id(request.sweep_id());
  {
    FS_ASSIGN_OR_RETURN(Statement k, txn->Prepare(
        "SELECT sp.k, s.metric, s.goal FROM sweeps s JOIN splits sp ON sp.id = s.split_id "
        "WHERE s.id = ?"));
    k.Bind(1, request.sweep_id());
    FS_ASSIGN_OR_RETURN(bool found, k.Step());
    if (!found) {
      return absl::NotFoundError(absl::StrCat("sweep ", request.sweep_id(), " not found"));
    }
    response.set_k(static_cast<int32_t>(k.Int(0)));
    response.set_metric(k.Text(1));
    response.set_minimize(k.Text(2) == "minimize");
  }
  // Best objective first, by the sweep's goal; trials without a value last.
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(absl::StrCat(
      "SELECT trial_id, params, folds_done, macro_f1_mean, macro_f1_std, accuracy_mean, "
      "value_mean, value_std, trial_state FROM v_leaderboard WHERE sweep_id = ? "
      "ORDER BY value_mean IS NULL, value_mean ", response.minimize() ? "ASC" : "DESC",
      ", trial_id")));
  rows.Bind(1, request.sweep_id());
  int32_t rank = 0;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    foldstack::v1::LeaderboardRow* out = response.add_rows();
    out->set_rank(++rank);
    out->set_trial_id(rows.Int(0));
    out->set_params_json(rows.Text(1));
    out->set_folds_done(static_cast<int32_t>(rows.Int(2)));
    out->set_macro_f1_mean(rows.Double(3));
    out->set_macro_f1_std(rows.Double(4));
    out->set_accuracy_mean(rows.Double(5));
    out->set_value_mean(rows.IsNull(6) ? std::nan("") : rows.Double(6));
    out->set_value_std(rows.IsNull(7) ? std::nan("") : rows.Double(7));
    out->set_trial_state(TrialStateToWire(rows.Text(8)));
  }
  return response;
}

}  // namespace foldstack::coordinator
