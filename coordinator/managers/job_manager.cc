#include "coordinator/managers/job_manager.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "coordinator/managers/job_transitions.h"
#include "coordinator/managers/prediction_jobs.h"
#include "coordinator/store/probs_json.h"
#include "coordinator/store/dataset_store.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

// Hostnames go into worker ids; keep those to [A-Za-z0-9.-].
std::string SafeHostname(const std::string& hostname) {
  std::string safe = hostname.empty() ? "unknown" : hostname.substr(0, 64);
  for (char& c : safe) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return safe;
}

std::string DevicesJson(const foldstack::v1::RegisterWorkerRequest& request) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : request.devices()) {
    devices.push_back({{"kind", d.kind()}, {"index", d.index()}, {"name", d.name()},
                       {"memory_bytes", d.memory_bytes()}});
  }
  return devices.dump();
}

// Lease ids are random rather than sequential so that a report from before a coordinator
// database reset cannot accidentally match a new lease. 53 bits keep them exact in JSON tools.
int64_t NewLeaseId() {
  absl::BitGen gen;
  return absl::Uniform<int64_t>(gen, 1, int64_t{1} << 53);
}

// The completion's own held-out figures: the job's objective when no metric row holds it.
ReportedValues Reported(const foldstack::v1::CompleteJobRequest& request) {
  return {{"val_macro_f1", request.macro_f1()}, {"val_accuracy", request.accuracy()},
          {"val_loss", request.val_loss()}};
}

}  // namespace

JobManager::JobManager(SqliteDb& db, Clock& clock, JobManagerOptions options)
    : db_(db), clock_(clock), options_(options) {}

absl::StatusOr<foldstack::v1::RegisterWorkerResponse> JobManager::RegisterWorker(
    const foldstack::v1::RegisterWorkerRequest& request) {
  absl::BitGen gen;
  const std::string worker_id = absl::StrFormat("w-%s-%08x", SafeHostname(request.hostname()),
                                                absl::Uniform<uint32_t>(gen));
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO workers(id, hostname, cpu_cores, devices_json, slots, version, "
        "registered_ms, last_heartbeat_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, worker_id).Bind(2, request.hostname()).Bind(3, request.cpu_cores())
        .Bind(4, DevicesJson(request)).Bind(5, std::max(1, request.slots()))
        .Bind(6, request.version()).Bind(7, now).Bind(8, now);
    FS_RETURN_IF_ERROR(insert.Run().status());
  }
  FS_RETURN_IF_ERROR(txn->Commit());
  foldstack::v1::RegisterWorkerResponse response;
  response.set_worker_id(worker_id);
  response.set_heartbeat_interval_ms(options_.heartbeat_interval_ms);
  response.set_lease_ttl_ms(static_cast<int32_t>(options_.lease_ttl_ms));
  return response;
}

absl::StatusOr<foldstack::v1::HeartbeatResponse> JobManager::Heartbeat(
    const foldstack::v1::HeartbeatRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_RETURN_IF_ERROR(TouchWorker(*txn, request.worker_id(), now).status());
  foldstack::v1::HeartbeatResponse response;
  const int64_t expires = now + options_.lease_ttl_ms;
  FS_RETURN_IF_ERROR(ExtendLeases(*txn, JobTable::kTrain, request.worker_id(), request.running_job_ids(),
                                  now, expires, response.mutable_revoked_job_ids()));
  FS_RETURN_IF_ERROR(ExtendLeases(*txn, JobTable::kPredict, request.worker_id(),
                                  request.running_prediction_job_ids(), now, expires,
                                  response.mutable_revoked_prediction_job_ids()));
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<foldstack::v1::LeaseJobResponse> JobManager::LeaseJob(
    const foldstack::v1::LeaseJobRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(WorkerInfo worker, TouchWorker(*txn, request.worker_id(), now));
  std::vector<EndedJob> ended;
  FS_RETURN_IF_ERROR(ExpireLeasesIn(*txn, now, &ended).status());
  FS_RETURN_IF_ERROR(SettleEnded(*txn, ended, now));
  foldstack::v1::LeaseJobResponse response;
  FS_ASSIGN_OR_RETURN(int64_t held, CountRunningJobs(*txn, request.worker_id()));
  if (held >= worker.slots) {
    FS_RETURN_IF_ERROR(txn->Commit());  // keeps the heartbeat and any expiries
    return response;
  }
  const int64_t lease_id = NewLeaseId();
  // Prediction jobs first: they are short and someone waits for the submission.
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> prediction_job_id,
                      NextPredictionJob(*txn, request.worker_id(), now, options_.lease_ttl_ms));
  if (prediction_job_id.has_value()) {
    FS_RETURN_IF_ERROR(StartAttempt(*txn, *prediction_job_id, lease_id, request.worker_id(),
                                    now + options_.lease_ttl_ms, now, JobTable::kPredict));
    FS_RETURN_IF_ERROR(LoadPredictionJobSpec(*txn, *prediction_job_id, response.mutable_job()));
    FS_RETURN_IF_ERROR(txn->Commit());
    response.set_leased(true);
    return response;
  }
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> job_id, NextQueuedJob(*txn, worker));
  if (!job_id.has_value()) {
    FS_RETURN_IF_ERROR(txn->Commit());
    return response;
  }
  FS_RETURN_IF_ERROR(StartAttempt(*txn, *job_id, lease_id, request.worker_id(),
                                  now + options_.lease_ttl_ms, now));
  FS_RETURN_IF_ERROR(LoadJobSpec(*txn, *job_id, response.mutable_job()));
  FS_RETURN_IF_ERROR(txn->Commit());
  response.set_leased(true);
  return response;
}

absl::Status JobManager::SettleEnded(Transaction& txn, const std::vector<EndedJob>& ended,
                                     int64_t now_ms) {
  for (const EndedJob& job : ended) {
    FS_RETURN_IF_ERROR(scheduler_.OnJobEnded(txn, job.sweep_id, job.trial_id, now_ms));
  }
  return absl::OkStatus();
}

absl::StatusOr<foldstack::v1::GetSplitResponse> JobManager::GetSplit(
    const foldstack::v1::GetSplitRequest& request) {
  return LoadSplit(db_, request.split_id());
}

absl::StatusOr<foldstack::v1::ReportMetricsResponse> JobManager::ReportMetrics(
    const foldstack::v1::ReportMetricsRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(HeldJob job, CheckLeaseHeld(*txn, request.job_id(), request.lease_id(), now));
  int last_epoch = 0;
  FS_ASSIGN_OR_RETURN(Statement upsert, txn->Prepare(
      "INSERT INTO metrics(job_id, epoch, name, value) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(job_id, epoch, name) DO UPDATE SET value = excluded.value"));
  for (const foldstack::v1::Metric& metric : request.metrics()) {
    if (metric.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("job ", request.job_id(), ": epoch ",
                                                     metric.epoch(), ": metric without a name"));
    }
    upsert.Reset();
    upsert.Bind(1, request.job_id()).Bind(2, metric.epoch()).Bind(3, metric.name());
    if (std::isnan(metric.value())) {
      upsert.BindNull(4);
    } else {
      upsert.Bind(4, metric.value());
    }
    FS_RETURN_IF_ERROR(upsert.Run().status());
    last_epoch = std::max(last_epoch, metric.epoch());
  }
  upsert.Reset();
  foldstack::v1::ReportMetricsResponse response;
  if (last_epoch >= 1) {
    FS_ASSIGN_OR_RETURN(sweep::PruneDecision decision,
                        scheduler_.OnEpochs(*txn, job.sweep_id, job.trial_id, job.job_id, job.fold,
                                            last_epoch, now));
    if (decision.stops()) {
      response.set_directive(foldstack::v1::JOB_DIRECTIVE_STOP);
      response.set_reason(decision.reason);
    }
  }
  FS_RETURN_IF_ERROR(txn->Commit());
  return response;
}

absl::StatusOr<int64_t> JobManager::ReportPredictions(const foldstack::v1::PredictionBatch& batch) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  if (batch.kind() == foldstack::v1::JOB_KIND_PREDICT) {
    FS_ASSIGN_OR_RETURN(int64_t stored, StorePredictionBatch(*txn, batch, now));
    FS_RETURN_IF_ERROR(txn->Commit());
    return stored;
  }
  FS_ASSIGN_OR_RETURN(HeldJob job, CheckLeaseHeld(*txn, batch.job_id(), batch.lease_id(), now));
  FS_RETURN_IF_ERROR(CheckPredictionBatch(batch, absl::StrCat("job ", job.job_id), job.num_classes));
  const int n = batch.sample_ids_size();
  const int c = batch.num_classes();
  FS_ASSIGN_OR_RETURN(Statement fold_of, txn->Prepare(
      "SELECT fold FROM split_folds WHERE split_id = ? AND sample_id = ?"));
  FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
      "INSERT INTO predictions(job_id, sample_id, predicted, probs) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(job_id, sample_id) DO NOTHING"));
  const absl::Span<const float> all(batch.probs().data(), batch.probs_size());
  std::string json;
  int64_t stored = 0;
  // Validation and insertion share one pass; an error anywhere rolls the whole batch back.
  for (int i = 0; i < n; ++i) {
    const int64_t sample_id = batch.sample_ids(i);
    fold_of.Reset();
    fold_of.Bind(1, job.split_id).Bind(2, sample_id);
    FS_ASSIGN_OR_RETURN(bool found, fold_of.Step());
    if (!found || fold_of.Int(0) != job.fold) {
      return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id, ": row ", i, ": sample ",
                                                     sample_id, " is not in held-out fold ",
                                                     job.fold));
    }
    const absl::Span<const float> row = all.subspan(static_cast<size_t>(i) * c, c);
    FormatProbsJson(row, &json);
    insert.Reset();
    insert.Bind(1, job.job_id).Bind(2, sample_id).Bind(3, ArgMax(row)).Bind(4, json);
    FS_ASSIGN_OR_RETURN(int64_t changed, insert.Run());
    stored += changed;
  }
  fold_of.Reset();
  insert.Reset();
  FS_RETURN_IF_ERROR(txn->Commit());
  return stored;
}

absl::Status JobManager::CompleteJob(const foldstack::v1::CompleteJobRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  if (request.kind() == foldstack::v1::JOB_KIND_PREDICT) {
    FS_RETURN_IF_ERROR(CompletePredictionJob(*txn, request, now));
    return txn->Commit();
  }
  FS_ASSIGN_OR_RETURN(HeldJob job, LoadHeldJob(*txn, request.job_id()));
  if (job.state == "done" && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckLeaseHeld(*txn, request.job_id(), request.lease_id(), now).status());
  {
    FS_ASSIGN_OR_RETURN(Statement done, txn->Prepare(
        "UPDATE jobs SET state = 'done', best_epoch = ?, macro_f1 = ?, accuracy = ?, "
        "val_loss = ?, seconds = ?, finished_ms = ?, lease_expires_ms = NULL, checkpoint_path = ? "
        "WHERE id = ?"));
    done.Bind(1, request.best_epoch()).Bind(2, request.macro_f1()).Bind(3, request.accuracy())
        .Bind(4, request.val_loss()).Bind(5, request.seconds()).Bind(6, now);
    if (request.checkpoint_path().empty()) {
      done.BindNull(7);
    } else {
      done.Bind(7, request.checkpoint_path());
    }
    done.Bind(8, request.job_id());
    FS_RETURN_IF_ERROR(done.Run().status());
  }
  FS_RETURN_IF_ERROR(scheduler_.OnJobDone(*txn, job.sweep_id, job.trial_id, job.job_id, job.fold,
                                          request.best_epoch(), Reported(request), now));
  return txn->Commit();
}

absl::Status JobManager::FailJob(const foldstack::v1::FailJobRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  if (request.kind() == foldstack::v1::JOB_KIND_PREDICT) {
    FS_RETURN_IF_ERROR(FailPredictionJob(*txn, request, now));
    return txn->Commit();
  }
  FS_ASSIGN_OR_RETURN(HeldJob job, LoadHeldJob(*txn, request.job_id()));
  if (job.state == "failed" && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckLeaseHeld(*txn, request.job_id(), request.lease_id(), now).status());
  const bool retry = request.retryable() && job.attempt < job.max_attempts;
  const std::string error = absl::StrCat(request.reason(), "; attempt ", job.attempt, " of ",
                                         job.max_attempts);
  FS_RETURN_IF_ERROR(EndAttempt(*txn, job.job_id, retry, error, request.log_tail(), now));
  if (!retry) FS_RETURN_IF_ERROR(scheduler_.OnJobEnded(*txn, job.sweep_id, job.trial_id, now));
  return txn->Commit();
}

absl::StatusOr<int> JobManager::ExpireLeases() {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  const int64_t now = clock_.NowMs();
  std::vector<EndedJob> ended;
  FS_ASSIGN_OR_RETURN(int expired, ExpireLeasesIn(*txn, now, &ended));
  FS_RETURN_IF_ERROR(SettleEnded(*txn, ended, now));
  FS_RETURN_IF_ERROR(txn->Commit());
  return expired;
}

}  // namespace foldstack::coordinator
