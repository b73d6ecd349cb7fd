#include "coordinator/server/coordinator_service.h"

#include <chrono>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/rpc_util.h"

namespace foldstack::coordinator {
namespace {

// Runs `call` for an authenticated caller and copies its result into `response`.
template <typename Response, typename Call>
grpc::Status Serve(const absl::StatusOr<std::string>& caller, Response* response, Call call) {
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  absl::StatusOr<Response> result = call(*caller);
  if (!result.ok()) return rpc::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

// For manager calls that return only a Status.
template <typename Response>
absl::StatusOr<Response> Empty(const absl::Status& status) {
  if (!status.ok()) return status;
  return Response();
}

}  // namespace

template <typename Response, typename Call, typename Object>
grpc::Status CoordinatorService::ServeAudited(AuditAction action, const absl::StatusOr<std::string>& caller,
                                              Response* response, Call call, Object object) {
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  auto result = audit_->Run(*caller, action, [&] { return call(*caller); }, object);
  if (!result.ok()) return rpc::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

absl::StatusOr<std::string> CoordinatorService::Caller(const grpc::ServerContext* context, const char* rpc) const {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(rpc::kAuthorizationKey);
  const absl::string_view authorization =
      it == metadata.end() ? absl::string_view() : absl::string_view(it->second.data(), it->second.size());
  absl::StatusOr<auth::Identity> caller = access_->Check(authorization, context->peer(), rpc);
  if (!caller.ok()) return caller.status();
  return caller->name;
}

grpc::Status CoordinatorService::RegisterWorker(grpc::ServerContext* context, const v1::RegisterWorkerRequest* request,
                                                v1::RegisterWorkerResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return workers_->RegisterWorker(*request); });
}

grpc::Status CoordinatorService::Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                                           v1::HeartbeatResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return jobs_->Heartbeat(*request); });
}

grpc::Status CoordinatorService::LeaseJob(grpc::ServerContext* context, const v1::LeaseJobRequest* request,
                                          v1::LeaseJobResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return jobs_->LeaseJob(*request); });
}

grpc::Status CoordinatorService::GetSplit(grpc::ServerContext* context, const v1::GetSplitRequest* request,
                                          v1::GetSplitResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return jobs_->GetSplit(*request); });
}

grpc::Status CoordinatorService::ReportMetrics(grpc::ServerContext* context, const v1::ReportMetricsRequest* request,
                                               v1::ReportMetricsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return jobs_->ReportMetrics(*request); });
}

grpc::Status CoordinatorService::ReportPredictions(grpc::ServerContext* context,
                                                   grpc::ServerReader<v1::PredictionBatch>* reader,
                                                   v1::ReportPredictionsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) -> absl::StatusOr<v1::ReportPredictionsResponse> {
    // Each batch is stored (or refused) whole; a refused batch ends the stream with its error and
    // leaves the earlier batches of the stream stored, which a retry then skips as duplicates.
    v1::ReportPredictionsResponse result;
    v1::PredictionBatch batch;
    while (reader->Read(&batch)) {
      absl::StatusOr<int64_t> stored = jobs_->ReportPredictions(batch);
      if (!stored.ok()) return stored.status();
      result.set_rows_stored(result.rows_stored() + *stored);
    }
    return result;
  });
}

grpc::Status CoordinatorService::CompleteJob(grpc::ServerContext* context, const v1::CompleteJobRequest* request,
                                             v1::CompleteJobResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) {
    return Empty<v1::CompleteJobResponse>(jobs_->CompleteJob(*request));
  });
}

grpc::Status CoordinatorService::FailJob(grpc::ServerContext* context, const v1::FailJobRequest* request,
                                         v1::FailJobResponse* response) {
  return Serve(Caller(context, __func__), response,
               [&](const std::string&) { return Empty<v1::FailJobResponse>(jobs_->FailJob(*request)); });
}

grpc::Status CoordinatorService::SubmitSweep(grpc::ServerContext* context, const v1::SubmitSweepRequest* request,
                                             v1::SubmitSweepResponse* response) {
  return ServeAudited(AuditAction::kSubmitSweep, Caller(context, __func__), response,
               [&](const std::string& caller) { return submitter_->Submit(*request, caller); },
                      [&](const auto& r) { return absl::StrCat(r.sweep_id()); });
}

grpc::Status CoordinatorService::ListSweeps(grpc::ServerContext* context, const v1::ListSweepsRequest* request,
                                            v1::ListSweepsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return sweeps_->ListSweeps(*request); });
}

grpc::Status CoordinatorService::ShowSweep(grpc::ServerContext* context, const v1::ShowSweepRequest* request,
                                           v1::ShowSweepResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return sweeps_->ShowSweep(*request); });
}

grpc::Status CoordinatorService::CancelSweep(grpc::ServerContext* context, const v1::CancelSweepRequest* request,
                                             v1::CancelSweepResponse* response) {
  return ServeAudited(AuditAction::kCancelSweep, Caller(context, __func__), response, [&](const std::string&) { return sweeps_->CancelSweep(*request); },
                      [&](const auto&) { return absl::StrCat(request->sweep_id()); });
}

grpc::Status CoordinatorService::ListWorkers(grpc::ServerContext* context, const v1::ListWorkersRequest* request,
                                             v1::ListWorkersResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return workers_->ListWorkers(*request); });
}

grpc::Status CoordinatorService::DrainWorker(grpc::ServerContext* context, const v1::DrainWorkerRequest* request,
                                             v1::DrainWorkerResponse* response) {
  return ServeAudited(AuditAction::kDrainWorker, Caller(context, __func__), response, [&](const std::string&) { return workers_->DrainWorker(*request); },
                      [&](const auto&) { return request->worker_id(); });
}

grpc::Status CoordinatorService::Leaderboard(grpc::ServerContext* context, const v1::LeaderboardRequest* request,
                                             v1::LeaderboardResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return sweeps_->Leaderboard(*request); });
}

grpc::Status CoordinatorService::UpdateSweep(grpc::ServerContext* context, const v1::UpdateSweepRequest* request,
                                             v1::UpdateSweepResponse* response) {
  return ServeAudited(AuditAction::kUpdateSweep, Caller(context, __func__), response, [&](const std::string&) { return sweeps_->UpdateSweep(*request); },
                      [&](const auto&) { return absl::StrCat(request->sweep_id()); });
}

grpc::Status CoordinatorService::StopTrial(grpc::ServerContext* context, const v1::StopTrialRequest* request,
                                           v1::StopTrialResponse* response) {
  return ServeAudited(AuditAction::kStopTrial, Caller(context, __func__), response, [&](const std::string&) { return sweeps_->StopTrial(*request); },
                      [&](const auto&) { return absl::StrCat(request->trial_id()); });
}

grpc::Status CoordinatorService::ListTrials(grpc::ServerContext* context, const v1::ListTrialsRequest* request,
                                            v1::ListTrialsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return sweeps_->ListTrials(*request); });
}

grpc::Status CoordinatorService::WatchSweep(grpc::ServerContext* context, const v1::WatchSweepRequest* request,
                                            grpc::ServerWriter<v1::SweepSummary>* writer) {
  absl::StatusOr<std::string> caller = Caller(context, __func__);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  std::string last;
  while (!context->IsCancelled()) {
    absl::StatusOr<v1::SweepSummary> summary = sweeps_->Summary(request->sweep_id());
    if (!summary.ok()) return rpc::ToGrpcStatus(summary.status());
    summary->set_eta_seconds(std::round(summary->eta_seconds()));  // no new message for ETA jitter
    std::string bytes = summary->SerializeAsString();
    if (bytes != last && !writer->Write(*summary)) return grpc::Status::OK;
    last = std::move(bytes);
    if (summary->state() != v1::SWEEP_STATE_RUNNING) return grpc::Status::OK;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return grpc::Status::OK;
}

grpc::Status CoordinatorService::SubmitPrediction(grpc::ServerContext* context,
                                                  const v1::SubmitPredictionRequest* request,
                                                  v1::SubmitPredictionResponse* response) {
  return ServeAudited(AuditAction::kSubmitPrediction, Caller(context, __func__), response,
               [&](const std::string& caller) { return predictions_->SubmitPrediction(*request, caller); },
                      [&](const auto& r) { return absl::StrCat(r.run_id()); });
}

grpc::Status CoordinatorService::GetPrediction(grpc::ServerContext* context, const v1::GetPredictionRequest* request,
                                               v1::GetPredictionResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return predictions_->GetPrediction(*request); });
}

grpc::Status CoordinatorService::ReviewLabels(grpc::ServerContext* context, const v1::ReviewLabelsRequest* request,
                                              v1::ReviewLabelsResponse* response) {
  return ServeAudited(AuditAction::kReviewLabels, Caller(context, __func__), response,
               [&](const std::string& caller) { return review_->ReviewLabels(*request, caller); },
                      [&](const auto& r) { return absl::StrCat(r.dataset_id(), "@v", r.label_version()); });
}

grpc::Status CoordinatorService::ListRelabelCandidates(grpc::ServerContext* context,
                                                       const v1::ListRelabelCandidatesRequest* request,
                                                       v1::ListRelabelCandidatesResponse* response) {
  return Serve(Caller(context, __func__), response,
               [&](const std::string&) { return review_->ListRelabelCandidates(*request); });
}

grpc::Status CoordinatorService::ExportLabels(grpc::ServerContext* context, const v1::ExportLabelsRequest* request,
                                              v1::ExportLabelsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return review_->ExportLabels(*request); });
}

grpc::Status CoordinatorService::FindRelabelCandidates(grpc::ServerContext* context,
                                                       const v1::FindRelabelCandidatesRequest* request,
                                                       v1::FindRelabelCandidatesResponse* response) {
  return ServeAudited(AuditAction::kFindRelabelCandidates, Caller(context, __func__), response,
               [&](const std::string&) { return analysis_->FindRelabelCandidates(*request); },
                      [&](const auto&) { return request->sweep_id() != 0 ? absl::StrCat(request->sweep_id()) : absl::StrJoin(request->sweep_ids(), ","); });
}

grpc::Status CoordinatorService::SelectEnsemble(grpc::ServerContext* context, const v1::SelectEnsembleRequest* request,
                                                v1::SelectEnsembleResponse* response) {
  return ServeAudited(AuditAction::kSelectEnsemble, Caller(context, __func__), response, [&](const std::string&) { return analysis_->SelectEnsemble(*request); },
                      [&](const auto& r) { return absl::StrCat(r.ensemble().ensemble_id()); });
}

grpc::Status CoordinatorService::ShowEnsemble(grpc::ServerContext* context, const v1::ShowEnsembleRequest* request,
                                              v1::ShowEnsembleResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return analysis_->ShowEnsemble(*request); });
}

grpc::Status CoordinatorService::ListEnsembles(grpc::ServerContext* context, const v1::ListEnsemblesRequest* request,
                                               v1::ListEnsemblesResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return analysis_->ListEnsembles(*request); });
}

grpc::Status CoordinatorService::UploadArtifact(grpc::ServerContext* context,
                                                grpc::ServerReader<v1::ArtifactChunk>* reader,
                                                v1::UploadArtifactResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) -> absl::StatusOr<v1::UploadArtifactResponse> {
    v1::ArtifactChunk chunk;
    if (!reader->Read(&chunk) || !chunk.has_header()) {
      return absl::InvalidArgumentError("artifact upload: the first chunk must carry the header");
    }
    const v1::ArtifactHeader header = chunk.header();  // later Reads reuse `chunk`
    bool first = true;
    return artifacts_->Upload(header, [&](v1::ArtifactChunk* next) {
      if (first) {
        first = false;
        next->Swap(&chunk);
        return true;
      }
      return reader->Read(next);
    });
  });
}

grpc::Status CoordinatorService::GetArtifact(grpc::ServerContext* context, const v1::GetArtifactRequest* request,
                                             grpc::ServerWriter<v1::ArtifactChunk>* writer) {
  absl::StatusOr<std::string> caller = Caller(context, __func__);
  if (!caller.ok()) return rpc::ToGrpcStatus(caller.status());
  return rpc::ToGrpcStatus(
      artifacts_->Download(*request, [&](const v1::ArtifactChunk& chunk) { return writer->Write(chunk); }));
}

grpc::Status CoordinatorService::ListArtifacts(grpc::ServerContext* context, const v1::ListArtifactsRequest* request,
                                               v1::ListArtifactsResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return artifacts_->List(*request); });
}

grpc::Status CoordinatorService::PruneArtifacts(grpc::ServerContext* context,
                                                const v1::PruneArtifactsRequest* request,
                                                v1::PruneArtifactsResponse* response) {
  return ServeAudited(AuditAction::kPruneArtifacts, Caller(context, __func__), response, [&](const std::string&) { return artifacts_->Prune(*request); },
                      [&](const auto& r) { return request->dry_run() ? std::string() : absl::StrCat(r.sweep_id()); });
}

grpc::Status CoordinatorService::ListAudit(grpc::ServerContext* context, const v1::ListAuditRequest* request,
                                           v1::ListAuditResponse* response) {
  return Serve(Caller(context, __func__), response, [&](const std::string&) { return audit_->ListAudit(*request); });
}

}  // namespace foldstack::coordinator
