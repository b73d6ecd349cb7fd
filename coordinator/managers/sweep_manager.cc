#include "coordinator/managers/sweep_manager.h"

#include "coordinator/managers/paging.h"
#include "coordinator/managers/wire_states.h"

#include <algorithm>
#include <optional>
#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "coordinator/store/study_store.h"
#include "coordinator/store/label_store.h"
#include "common/status_macros.h"
#include "coordinator/store/sweep_rows.h"
#include "coordinator/store/sweep_store.h"
#include "coordinator/sweep/sweep_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

double OrNan(const std::optional<double>& value) { return value.value_or(std::nan("")); }

// eta_seconds: mean(seconds of done jobs) x (queued + running) / max(1, alive workers); 0 when
// nothing is left, -1 while no job is done.
foldstack::v1::SweepSummary ToSummary(const SweepRow& row, int64_t alive_workers) {
  foldstack::v1::SweepSummary s;
  s.set_sweep_id(row.sweep_id);
  s.set_name(row.name);
  s.set_state(ToWire(row.state));
  s.set_created_unix_ms(row.created_ms);
  s.set_finished_unix_ms(row.finished_ms);
  s.set_dataset_kind(row.dataset_kind);
  s.set_dataset_root(row.dataset_root);
  s.set_k(row.k);
  s.set_trials(row.trials);
  s.set_trial_budget(row.trial_budget);
  s.set_jobs_total(row.jobs_total);
  s.set_jobs_queued(row.jobs_queued);
  s.set_jobs_running(row.jobs_running);
  s.set_jobs_done(row.jobs_done);
  s.set_jobs_failed(row.jobs_failed);
  s.set_jobs_cancelled(row.jobs_cancelled);
  s.set_jobs_pruned(row.jobs_pruned);
  const int64_t remaining = row.jobs_queued + row.jobs_running;
  if (remaining == 0) {
    s.set_eta_seconds(0);
  } else if (!row.mean_job_seconds.has_value()) {
    s.set_eta_seconds(-1);
  } else {
    s.set_eta_seconds(*row.mean_job_seconds * static_cast<double>(remaining) /
                      static_cast<double>(std::max<int64_t>(1, alive_workers)));
  }
  s.set_best_macro_f1(row.best_macro_f1.value_or(-1.0));
  s.set_label_version(row.label_version);
  s.set_metric(row.metric);
  s.set_minimize(row.minimize);
  s.set_best_value(OrNan(row.best_value));
  s.set_paused(row.paused);
  s.set_method(row.method);
  return s;
}

absl::Status LoadSummaries(Transaction& txn, int64_t sweep_id, int64_t alive_workers,
                           std::vector<foldstack::v1::SweepSummary>* out) {
  FS_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, LoadSweepRows(txn, sweep_id));
  for (const SweepRow& row : rows) out->push_back(ToSummary(row, alive_workers));
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
  FS_ASSIGN_OR_RETURN(InsertedSweep inserted, InsertSweep(db_, record, now));
  foldstack::v1::SubmitSweepResponse response;
  response.set_sweep_id(inserted.sweep_id);
  response.set_trials(inserted.trials);
  response.set_jobs(inserted.jobs);
  return response;
}

absl::StatusOr<foldstack::v1::ListSweepsResponse> SweepManager::ListSweeps(
    const foldstack::v1::ListSweepsRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(const int32_t page, PageSize(request.page_size()));
  FS_ASSIGN_OR_RETURN(int64_t before, PagePosition(request.page_token(), INT64_MAX));
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, CountWorkersSeenSince(*txn, now - options_.lease_ttl_ms));
  FS_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, LoadSweepRows(*txn, 0, before, page + 1));
  foldstack::v1::ListSweepsResponse response;
  for (size_t i = 0; i < rows.size() && static_cast<int32_t>(i) < page; ++i) {
    *response.add_sweeps() = ToSummary(rows[i], alive);
  }
  if (static_cast<int32_t>(rows.size()) > page) {
    response.set_next_page_token(absl::StrCat(rows[static_cast<size_t>(page) - 1].sweep_id));
  }
  return response;
}

absl::StatusOr<foldstack::v1::ShowSweepResponse> SweepManager::ShowSweep(
    const foldstack::v1::ShowSweepRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, CountWorkersSeenSince(*txn, now - options_.lease_ttl_ms));
  std::vector<foldstack::v1::SweepSummary> summaries;
  if (request.sweep_id() > 0) {
    FS_RETURN_IF_ERROR(LoadSummaries(*txn, request.sweep_id(), alive, &summaries));
  }
  if (summaries.empty()) {
    return absl::NotFoundError(absl::StrCat("sweep ", request.sweep_id(), " not found"));
  }
  foldstack::v1::ShowSweepResponse response;
  *response.mutable_summary() = std::move(summaries[0]);
  FS_ASSIGN_OR_RETURN(*response.mutable_yaml(), LoadSweepYaml(*txn, request.sweep_id()));
  FS_ASSIGN_OR_RETURN(std::vector<JobRow> jobs, LoadJobRows(*txn, request.sweep_id()));
  for (const JobRow& row : jobs) {
    foldstack::v1::JobSummary* job = response.add_jobs();
    job->set_job_id(row.job_id);
    job->set_trial_id(row.trial_id);
    job->set_fold(row.fold);
    job->set_state(ToWire(row.state));
    job->set_attempt(row.attempt);
    job->set_worker_id(row.worker_id);
    job->set_macro_f1(row.macro_f1);
    job->set_error(row.error);
    job->set_value(OrNan(row.value));
    job->set_stopped_epoch(row.stopped_epoch);
  }
  return response;
}

absl::StatusOr<foldstack::v1::SweepSummary> SweepManager::Summary(int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(int64_t alive, CountWorkersSeenSince(*txn, clock_.NowMs() - options_.lease_ttl_ms));
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
  FS_ASSIGN_OR_RETURN(TrialOwner trial, LoadTrialOwner(*txn, request.trial_id()));
  if (trial.state != sweep::TrialState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat("trial ", request.trial_id(), " already ended (",
                                                      std::string(sweep::TrialStateName(trial.state)), ")"));
  }
  const int64_t sweep_id = trial.sweep_id;
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, sweep_id));
  foldstack::v1::StopTrialResponse response;
  response.set_sweep_id(sweep_id);
  FS_ASSIGN_OR_RETURN(int64_t ended,
                      PruneTrial(*txn, request.trial_id(), "stopped by hand", control.objective, now));
  response.set_jobs_ended(static_cast<int32_t>(ended));
  FS_RETURN_IF_ERROR(scheduler_.Settle(*txn, sweep_id, now));
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<foldstack::v1::ListTrialsResponse> SweepManager::ListTrials(
    const foldstack::v1::ListTrialsRequest& request) {
  FS_ASSIGN_OR_RETURN(const int32_t page, PageSize(request.page_size()));
  FS_ASSIGN_OR_RETURN(int64_t after, PagePosition(request.page_token(), -1));
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
    row->set_value(OrNan(r.value));
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
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, request.sweep_id()));
  if (control.state == sweep::SweepState::kCancelled) return foldstack::v1::CancelSweepResponse();
  if (control.state != sweep::SweepState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat("sweep ", request.sweep_id(), " already finished (",
                                                      std::string(sweep::SweepStateName(control.state)), ")"));
  }
  foldstack::v1::CancelSweepResponse response;
  FS_ASSIGN_OR_RETURN(int64_t cancelled, CancelSweepRows(*txn, request.sweep_id(), now));
  response.set_jobs_cancelled(static_cast<int32_t>(cancelled));
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<foldstack::v1::LeaderboardResponse> SweepManager::Leaderboard(
    const foldstack::v1::LeaderboardRequest& request) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  foldstack::v1::LeaderboardResponse response;
  response.set_sweep_id(request.sweep_id());
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, request.sweep_id()));
  response.set_k(control.k);
  response.set_metric(control.objective.metric);
  response.set_minimize(control.objective.goal == sweep::Goal::kMinimize);
  FS_ASSIGN_OR_RETURN(std::vector<LeaderRow> rows, LoadLeaderRows(*txn, request.sweep_id(), response.minimize()));
  int32_t rank = 0;
  for (const LeaderRow& row : rows) {
    foldstack::v1::LeaderboardRow* out = response.add_rows();
    out->set_rank(++rank);
    out->set_trial_id(row.trial_id);
    out->set_params_json(row.params_json);
    out->set_folds_done(row.folds_done);
    out->set_macro_f1_mean(row.macro_f1_mean);
    out->set_macro_f1_std(row.macro_f1_std);
    out->set_accuracy_mean(row.accuracy_mean);
    out->set_value_mean(OrNan(row.value_mean));
    out->set_value_std(OrNan(row.value_std));
    out->set_trial_state(ToWire(row.trial_state));
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> SweepManager::SweptParams(int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, sweep_id));
  FS_ASSIGN_OR_RETURN(sweep::SweepSpec spec,
                      sweep::ParseSweepYaml(absl::StrCat("sweep ", sweep_id), control.yaml));
  std::vector<std::string> names;
  for (const auto& [name, param] : spec.parameters) {
    const bool varies = param.kind == sweep::ParamKind::kDistribution ||
                        (param.kind == sweep::ParamKind::kCategorical && param.values.size() > 1);
    if (varies) names.push_back(name);
  }
  return names;
}

absl::StatusOr<CurvesPage> SweepManager::Curves(int64_t sweep_id, int points, const std::string& cursor,
                                                int32_t limit) {
  FS_ASSIGN_OR_RETURN(const int64_t after, PagePosition(cursor, -1));
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(*txn, sweep_id));
  // One trial more than asked says whether another page follows.
  FS_ASSIGN_OR_RETURN(std::vector<JobCurveRecord> jobs,
                      LoadJobCurves(*txn, sweep_id, control.objective.metric, after, limit + 1));
  CurvesPage page;
  int32_t trials = 0;
  for (const JobCurveRecord& job : jobs) {
    if (page.curves.empty() || page.curves.back().trial_id != job.trial_id) ++trials;
    if (trials > limit) {
      page.next_cursor = absl::StrCat(page.curves.back().trial_index);
      break;
    }
    page.curves.push_back({job.trial_id, job.trial_index, job.fold, job.state, SampleCurve(job.curve, points)});
  }
  return page;
}

}  // namespace foldstack::coordinator
