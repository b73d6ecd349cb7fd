// The gRPC face of the coordinator. It only translates: authenticate the caller, hand the request to
// the manager that owns the concern, turn the manager's Status into a gRPC status. No logic lives here.
#ifndef FOLDSTACK_COORDINATOR_SERVER_COORDINATOR_SERVICE_H_
#define FOLDSTACK_COORDINATOR_SERVER_COORDINATOR_SERVICE_H_

#include <string>

#include "coordinator/auth/access_control.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/artifact_manager.h"
#include "coordinator/managers/audit_manager.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/prediction_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/submission/sweep_submitter.h"
#include "proto/foldstack.grpc.pb.h"

namespace foldstack::coordinator {

class CoordinatorService final : public foldstack::v1::Coordinator::Service {
 public:
  CoordinatorService(auth::AccessControl* access, WorkerManager* workers, JobManager* jobs,
                     SweepManager* sweeps,
                     SweepSubmitter* submitter, PredictionManager* predictions, LabelReviewManager* review,
                     AnalysisManager* analysis, ArtifactManager* artifacts, AuditManager* audit)
      : access_(access),
        workers_(workers),
        jobs_(jobs),
        sweeps_(sweeps),
        submitter_(submitter),
        predictions_(predictions),
        review_(review),
        analysis_(analysis),
        artifacts_(artifacts),
        audit_(audit) {}

  grpc::Status RegisterWorker(grpc::ServerContext* context, const v1::RegisterWorkerRequest* request,
                              v1::RegisterWorkerResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  grpc::Status LeaseJob(grpc::ServerContext* context, const v1::LeaseJobRequest* request,
                        v1::LeaseJobResponse* response) override;
  grpc::Status GetSplit(grpc::ServerContext* context, const v1::GetSplitRequest* request,
                        v1::GetSplitResponse* response) override;
  grpc::Status ReportMetrics(grpc::ServerContext* context, const v1::ReportMetricsRequest* request,
                             v1::ReportMetricsResponse* response) override;
  grpc::Status ReportPredictions(grpc::ServerContext* context, grpc::ServerReader<v1::PredictionBatch>* reader,
                                 v1::ReportPredictionsResponse* response) override;
  grpc::Status CompleteJob(grpc::ServerContext* context, const v1::CompleteJobRequest* request,
                           v1::CompleteJobResponse* response) override;
  grpc::Status FailJob(grpc::ServerContext* context, const v1::FailJobRequest* request,
                       v1::FailJobResponse* response) override;
  grpc::Status SubmitSweep(grpc::ServerContext* context, const v1::SubmitSweepRequest* request,
                           v1::SubmitSweepResponse* response) override;
  grpc::Status ListSweeps(grpc::ServerContext* context, const v1::ListSweepsRequest* request,
                          v1::ListSweepsResponse* response) override;
  grpc::Status ShowSweep(grpc::ServerContext* context, const v1::ShowSweepRequest* request,
                         v1::ShowSweepResponse* response) override;
  grpc::Status CancelSweep(grpc::ServerContext* context, const v1::CancelSweepRequest* request,
                           v1::CancelSweepResponse* response) override;
  grpc::Status ListWorkers(grpc::ServerContext* context, const v1::ListWorkersRequest* request,
                           v1::ListWorkersResponse* response) override;
  grpc::Status DrainWorker(grpc::ServerContext* context, const v1::DrainWorkerRequest* request,
                           v1::DrainWorkerResponse* response) override;
  grpc::Status Leaderboard(grpc::ServerContext* context, const v1::LeaderboardRequest* request,
                           v1::LeaderboardResponse* response) override;
  grpc::Status UpdateSweep(grpc::ServerContext* context, const v1::UpdateSweepRequest* request,
                           v1::UpdateSweepResponse* response) override;
  grpc::Status StopTrial(grpc::ServerContext* context, const v1::StopTrialRequest* request,
                         v1::StopTrialResponse* response) override;
  grpc::Status ListTrials(grpc::ServerContext* context, const v1::ListTrialsRequest* request,
                          v1::ListTrialsResponse* response) override;
  // Polls the database (every 300 ms) and writes the summary whenever it changed.
  grpc::Status WatchSweep(grpc::ServerContext* context, const v1::WatchSweepRequest* request,
                          grpc::ServerWriter<v1::SweepSummary>* writer) override;
  grpc::Status SubmitPrediction(grpc::ServerContext* context, const v1::SubmitPredictionRequest* request,
                                v1::SubmitPredictionResponse* response) override;
  grpc::Status GetPrediction(grpc::ServerContext* context, const v1::GetPredictionRequest* request,
                             v1::GetPredictionResponse* response) override;
  grpc::Status ReviewLabels(grpc::ServerContext* context, const v1::ReviewLabelsRequest* request,
                            v1::ReviewLabelsResponse* response) override;
  grpc::Status ListRelabelCandidates(grpc::ServerContext* context, const v1::ListRelabelCandidatesRequest* request,
                                     v1::ListRelabelCandidatesResponse* response) override;
  grpc::Status ExportLabels(grpc::ServerContext* context, const v1::ExportLabelsRequest* request,
                            v1::ExportLabelsResponse* response) override;
  grpc::Status FindRelabelCandidates(grpc::ServerContext* context, const v1::FindRelabelCandidatesRequest* request,
                                     v1::FindRelabelCandidatesResponse* response) override;
  grpc::Status SelectEnsemble(grpc::ServerContext* context, const v1::SelectEnsembleRequest* request,
                              v1::SelectEnsembleResponse* response) override;
  grpc::Status ShowEnsemble(grpc::ServerContext* context, const v1::ShowEnsembleRequest* request,
                            v1::ShowEnsembleResponse* response) override;
  grpc::Status ListEnsembles(grpc::ServerContext* context, const v1::ListEnsemblesRequest* request,
                             v1::ListEnsemblesResponse* response) override;
  // The first chunk's header describes the upload; every chunk's bytes are handed on as read.
  grpc::Status UploadArtifact(grpc::ServerContext* context, grpc::ServerReader<v1::ArtifactChunk>* reader,
                              v1::UploadArtifactResponse* response) override;
  grpc::Status GetArtifact(grpc::ServerContext* context, const v1::GetArtifactRequest* request,
                           grpc::ServerWriter<v1::ArtifactChunk>* writer) override;
  grpc::Status ListArtifacts(grpc::ServerContext* context, const v1::ListArtifactsRequest* request,
                             v1::ListArtifactsResponse* response) override;
  grpc::Status PruneArtifacts(grpc::ServerContext* context, const v1::PruneArtifactsRequest* request,
                              v1::PruneArtifactsResponse* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context, const v1::ListAuditRequest* request,
                         v1::ListAuditResponse* response) override;

 private:
  // The caller's token name, or why it may not call `rpc` (each handler passes its own name,
  // __func__, which is the RPC's name in the proto).
  absl::StatusOr<std::string> Caller(const grpc::ServerContext* context, const char* rpc) const;
  // Serve(), then a row in the audit trail for the caller, `action` and `object(response)` (no row
  // when that is empty). A failure to record is logged; the change it describes stands.
  template <typename Response, typename Call, typename Object>
  grpc::Status ServeAudited(AuditAction action, const absl::StatusOr<std::string>& caller, Response* response,
                            Call call, Object object);

  auth::AccessControl* access_;
  WorkerManager* workers_;
  JobManager* jobs_;
  SweepManager* sweeps_;
  SweepSubmitter* submitter_;
  PredictionManager* predictions_;
  LabelReviewManager* review_;
  AnalysisManager* analysis_;
  ArtifactManager* artifacts_;
  AuditManager* audit_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_SERVER_COORDINATOR_SERVICE_H_
