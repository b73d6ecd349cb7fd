#include "coordinator/managers/request_checks.h"
#include "coordinator/managers/job_manager.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "coordinator/managers/label_names.h"
#include "coordinator/store/artifact_store.h"
#include "coordinator/store/dataset_store.h"
#include "coordinator/store/job_store.h"
#include "coordinator/store/lease_store.h"
#include "coordinator/store/prediction_job_store.h"
#include "common/status_macros.h"

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

JobTable TableOf(foldstack::v1::JobKind kind) {
  return kind == foldstack::v1::JOB_KIND_PREDICT ? JobTable::kPredict : JobTable::kTrain;
}

template <typename T>
absl::Span<const T> SpanOf(const google::protobuf::RepeatedField<T>& field) {
  return absl::MakeConstSpan(field.data(), field.size());
}

void ToJobSpec(const JobLaunch& launch, foldstack::v1::JobSpec* spec) {
  spec->set_job_id(launch.job_id);
  spec->set_lease_id(launch.lease_id);
  spec->set_attempt(launch.attempt);
  spec->set_sweep_id(launch.sweep_id);
  spec->set_trial_id(launch.trial_id);
  spec->set_fold(launch.fold);
  spec->set_split_id(launch.split_id);
  spec->set_dataset_kind(launch.dataset_kind);
  spec->set_dataset_root(launch.dataset_root);
  spec->set_num_classes(launch.num_classes);
  spec->set_params_json(launch.params_json);
  spec->set_objective_metric(launch.objective_metric);
  spec->set_objective_minimize(launch.objective_minimize);
  if (launch.table == JobTable::kTrain) {
    spec->set_program(launch.program);
    for (const std::string& word : launch.command) spec->add_command(word);
    for (const std::string& name : ClassNamesFor(launch.dataset_kind, launch.num_classes)) spec->add_class_names(name);
    spec->set_resume(launch.resume);
    for (const ExtraTrainSet& set : launch.extra_train) {
      foldstack::v1::ExtraTrainSet* extra = spec->add_extra_train();
      extra->set_root(set.root);
      extra->set_weight(set.weight);
    }
    return;
  }
  spec->set_kind(foldstack::v1::JOB_KIND_PREDICT);
  foldstack::v1::PredictSpec* predict = spec->mutable_predict();
  predict->set_run_id(launch.run_id);
  predict->set_train_job_id(launch.train_job_id);
  predict->set_checkpoint_path(launch.checkpoint_path);
  for (const std::string& key : launch.image_keys) predict->add_image_keys(key);
  predict->set_hflip_tta(true);
}

// What the artifact store holds for a leased job: a training job's latest resume checkpoint, or
// the best checkpoint of the training job a prediction job runs.
absl::Status AddArtifacts(Transaction& txn, const JobLaunch& launch, foldstack::v1::JobSpec* spec) {
  if (launch.table == JobTable::kTrain) {
    FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> resume,
                        LatestArtifact(txn, JobTable::kTrain, launch.job_id, ArtifactKind::kResumeCheckpoint));
    if (!resume.has_value()) return absl::OkStatus();
    spec->set_resume_artifact_id(resume->id);
    spec->set_resume_epoch(resume->epoch);
    spec->set_resume_sha256(resume->sha256);
    return absl::OkStatus();
  }
  FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> best,
                      LatestArtifact(txn, JobTable::kTrain, launch.train_job_id, ArtifactKind::kBestCheckpoint));
  if (!best.has_value()) return absl::OkStatus();
  spec->mutable_predict()->set_checkpoint_artifact_id(best->id);
  spec->mutable_predict()->set_checkpoint_sha256(best->sha256);
  return absl::OkStatus();
}

// The epoch a training job leased again resumes after: its latest resume checkpoint's (0: none).
absl::StatusOr<int> ResumedEpoch(Transaction& txn, JobTable table, int64_t job_id) {
  if (table != JobTable::kTrain) return 0;
  FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> resume,
                      LatestArtifact(txn, JobTable::kTrain, job_id, ArtifactKind::kResumeCheckpoint));
  return resume.has_value() ? static_cast<int>(resume->epoch) : 0;
}

}  // namespace

JobManager::JobManager(SqliteDb& db, Clock& clock, JobManagerOptions options)
    : db_(db), clock_(clock), options_(options) {}

absl::StatusOr<foldstack::v1::HeartbeatResponse> JobManager::Heartbeat(
    const foldstack::v1::HeartbeatRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(WorkerInfo worker, TouchWorker(*txn, request.worker_id(), now));
  const int64_t expires = now + options_.lease_ttl_ms;
  std::vector<int64_t> revoked, revoked_predictions;
  FS_RETURN_IF_ERROR(ExtendLeases(*txn, JobTable::kTrain, request.worker_id(), SpanOf(request.running_job_ids()),
                                  now, expires, &revoked));
  FS_RETURN_IF_ERROR(ExtendLeases(*txn, JobTable::kPredict, request.worker_id(),
                                  SpanOf(request.running_prediction_job_ids()), now, expires,
                                  &revoked_predictions));
  FS_RETURN_IF_ERROR(txn->Commit());
  foldstack::v1::HeartbeatResponse response;
  response.set_drain(worker.draining);
  response.mutable_revoked_job_ids()->Add(revoked.begin(), revoked.end());
  response.mutable_revoked_prediction_job_ids()->Add(revoked_predictions.begin(), revoked_predictions.end());
  return response;
}

absl::StatusOr<foldstack::v1::LeaseJobResponse> JobManager::LeaseJob(
    const foldstack::v1::LeaseJobRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(WorkerInfo worker, TouchWorker(*txn, request.worker_id(), now));
  FS_RETURN_IF_ERROR(ExpireIn(*txn, now).status());
  foldstack::v1::LeaseJobResponse response;
  FS_ASSIGN_OR_RETURN(int64_t held, CountRunningJobs(*txn, request.worker_id()));
  if (held >= worker.slots || worker.draining) {
    FS_RETURN_IF_ERROR(txn->Commit());  // keeps the heartbeat and any expiries
    return response;
  }
  // Prediction jobs first: they are short and someone waits for the submission.
  JobTable table = JobTable::kPredict;
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> job_id,
                      NextPredictionJob(*txn, request.worker_id(), now, options_.lease_ttl_ms));
  if (!job_id.has_value()) {
    table = JobTable::kTrain;
    FS_ASSIGN_OR_RETURN(job_id, NextQueuedJob(*txn, worker));
  }
  if (!job_id.has_value()) {
    FS_RETURN_IF_ERROR(txn->Commit());
    return response;
  }
  FS_ASSIGN_OR_RETURN(int resumed_epoch, ResumedEpoch(*txn, table, *job_id));
  FS_RETURN_IF_ERROR(StartAttempt(*txn, table, *job_id, NewLeaseId(), request.worker_id(),
                                  now + options_.lease_ttl_ms, now, resumed_epoch));
  FS_ASSIGN_OR_RETURN(JobLaunch launch, LoadLaunch(*txn, table, *job_id));
  ToJobSpec(launch, response.mutable_job());
  FS_RETURN_IF_ERROR(AddArtifacts(*txn, launch, response.mutable_job()));
  FS_RETURN_IF_ERROR(txn->Commit());
  response.set_leased(true);
  return response;
}

absl::Status JobManager::EndLease(Transaction& txn, const Lease& lease, bool retry, const std::string& reason,
                                  const std::string& log_tail, int64_t now_ms) {
  const bool requeue = retry && lease.attempt < lease.max_attempts;
  const std::string error = absl::StrCat(reason, "; attempt ", lease.attempt, " of ", lease.max_attempts);
  FS_RETURN_IF_ERROR(EndAttempt(txn, lease.table, lease.job_id, requeue, error, log_tail, now_ms));
  if (requeue) return absl::OkStatus();
  if (lease.table == JobTable::kPredict) return FinishRunIfDone(txn, lease.run_id, now_ms);
  return scheduler_.OnJobEnded(txn, lease.sweep_id, lease.trial_id, now_ms);
}

absl::StatusOr<int> JobManager::ExpireIn(Transaction& txn, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(std::vector<ExpiredLease> expired, FindExpiredLeases(txn, now_ms));
  for (const ExpiredLease& e : expired) {
    FS_ASSIGN_OR_RETURN(Lease lease, LoadLease(txn, e.table, e.job_id));
    FS_RETURN_IF_ERROR(EndLease(
        txn, lease, /*retry=*/true,
        absl::StrCat("lease expired: worker ", e.worker_id, " (", e.hostname, ") stopped heartbeating"), "", now_ms));
  }
  return static_cast<int>(expired.size());
}

absl::StatusOr<foldstack::v1::GetSplitResponse> JobManager::GetSplit(
    const foldstack::v1::GetSplitRequest& request) {
  FS_ASSIGN_OR_RETURN(SplitManifest split, LoadSplit(db_, request.split_id()));
  foldstack::v1::GetSplitResponse response;
  response.set_split_id(split.split_id);
  response.set_k(split.k);
  for (const SplitSample& sample : split.samples) {
    foldstack::v1::SplitSample* wire = response.add_samples();
    wire->set_sample_id(sample.sample_id);
    wire->set_sample_key(sample.sample_key);
    wire->set_label(sample.label);
    wire->set_fold(sample.fold);
    wire->set_group(sample.group);
  }
  return response;
}

absl::StatusOr<foldstack::v1::ReportMetricsResponse> JobManager::ReportMetrics(
    const foldstack::v1::ReportMetricsRequest& request) {
  FS_RETURN_IF_ERROR(CheckRequest(request));
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(Lease job, CheckLeaseHeld(*txn, JobTable::kTrain, request.job_id(), request.lease_id(), now));
  int last_epoch = 0;
  std::vector<MetricRow> rows;
  for (const foldstack::v1::Metric& metric : request.metrics()) {
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
  const JobTable table = TableOf(batch.kind());
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(Lease job, CheckLeaseHeld(*txn, table, batch.job_id(), batch.lease_id(), now));
  const absl::Span<const int64_t> ids = SpanOf(batch.sample_ids());
  const absl::Span<const float> probs = SpanOf(batch.probs());
  FS_RETURN_IF_ERROR(
      CheckProbRows(JobName(table, job.job_id), ids.size(), probs, batch.num_classes(), job.num_classes));
  FS_ASSIGN_OR_RETURN(int64_t stored, table == JobTable::kTrain
                                          ? InsertOofRows(*txn, job, ids, probs, job.num_classes)
                                          : InsertEvalRows(*txn, job, ids, probs, job.num_classes));
  FS_RETURN_IF_ERROR(txn->Commit());
  return stored;
}

absl::Status JobManager::CompleteJob(const foldstack::v1::CompleteJobRequest& request) {
  FS_RETURN_IF_ERROR(CheckRequest(request));
  const int64_t now = clock_.NowMs();
  const JobTable table = TableOf(request.kind());
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(Lease job, LoadLease(*txn, table, request.job_id()));
  if (job.state == sweep::JobState::kDone && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckLeaseLive(job, request.lease_id(), now));
  if (table == JobTable::kPredict) {
    FS_RETURN_IF_ERROR(MarkPredictionJobDone(*txn, job, request.seconds(), now));
    return txn->Commit();
  }
  FS_RETURN_IF_ERROR(MarkJobDone(*txn, job.job_id,
                                 {request.best_epoch(), request.macro_f1(), request.accuracy(), request.val_loss(),
                                  request.seconds(), request.checkpoint_path()},
                                 now));
  FS_RETURN_IF_ERROR(scheduler_.OnJobDone(*txn, job.sweep_id, job.trial_id, job.job_id, job.fold,
                                          request.best_epoch(), Reported(request), now));
  return txn->Commit();
}

absl::Status JobManager::FailJob(const foldstack::v1::FailJobRequest& request) {
  FS_RETURN_IF_ERROR(CheckRequest(request));
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(Lease job, LoadLease(*txn, TableOf(request.kind()), request.job_id()));
  if (job.state == sweep::JobState::kFailed && job.lease_id == request.lease_id()) return absl::OkStatus();
  FS_RETURN_IF_ERROR(CheckLeaseLive(job, request.lease_id(), now));
  FS_RETURN_IF_ERROR(EndLease(*txn, job, request.retryable(), request.reason(), request.log_tail(), now));
  return txn->Commit();
}

absl::StatusOr<int> JobManager::ExpireLeases() {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(int expired, ExpireIn(*txn, clock_.NowMs()));
  FS_RETURN_IF_ERROR(txn->Commit());
  return expired;
}

}  // namespace foldstack::coordinator
