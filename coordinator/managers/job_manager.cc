#include "coordinator/managers/job_manager.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "coordinator/store/job_store.h"
#include "coordinator/store/prediction_job_store.h"
#include "coordinator/store/dataset_store.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

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
  std::vector<MetricRow> rows;
  for (const foldstack::v1::Metric& metric : request.metrics()) {
    if (metric.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("job ", request.job_id(), ": epoch ",
                                                     metric.epoch(), ": metric without a name"));
    }
    rows.push_back({metric.epoch(), metric.name(), metric.value()});
    last_epoch = std::max(last_epoch, metric.epoch());
  }
  FS_RETURN_IF_ERROR(UpsertMetrics(*txn, request.job_id(), rows));
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
  FS_ASSIGN_OR_RETURN(int64_t stored,
                      InsertOofRows(*txn, job, absl::MakeConstSpan(batch.sample_ids().data(), batch.sample_ids_size()),
                                    absl::MakeConstSpan(batch.probs().data(), batch.probs_size()),
                                    batch.num_classes()));
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
  FS_RETURN_IF_ERROR(MarkJobDone(*txn, request.job_id(),
                                 {request.best_epoch(), request.macro_f1(), request.accuracy(), request.val_loss(),
                                  request.seconds(), request.checkpoint_path()},
                                 now));
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
