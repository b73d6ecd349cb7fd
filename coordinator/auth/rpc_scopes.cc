#include "coordinator/auth/rpc_scopes.h"

#include "absl/strings/str_cat.h"

namespace foldstack::auth {

const std::vector<RpcRule>& RpcRules() {
  static const auto* rules = new std::vector<RpcRule>{
      // rpc                     worker reader
      {"RegisterWorker", true, false},
      {"Heartbeat", true, false},
      {"LeaseJob", true, false},
      {"GetSplit", true, false},
      {"ReportMetrics", true, false},
      {"ReportPredictions", true, false},
      {"CompleteJob", true, false},
      {"FailJob", true, false},
      {"UploadArtifact", true, false},
      {"GetArtifact", true, true},
      {"SubmitSweep", false, false},
      {"ListSweeps", false, true},
      {"ShowSweep", false, true},
      {"CancelSweep", false, false},
      {"ListWorkers", false, true},
      {"DrainWorker", false, false},
      {"Leaderboard", false, true},
      {"UpdateSweep", false, false},
      {"StopTrial", false, false},
      {"ListTrials", false, true},
      {"WatchSweep", false, true},
      {"SubmitPrediction", false, false},
      {"GetPrediction", false, true},
      {"ReviewLabels", false, false},
      {"ListRelabelCandidates", false, true},
      {"ExportLabels", false, true},
      {"FindRelabelCandidates", false, false},  // stores the candidates it finds
      {"SelectEnsemble", false, false},         // stores the ensemble
      {"ShowEnsemble", false, true},
      {"ListEnsembles", false, true},
      {"ListArtifacts", false, true},
      {"PruneArtifacts", false, false},
      {"ListAudit", false, true},
  };
  return *rules;
}

bool ScopeAllows(Scope scope, absl::string_view rpc) {
  if (scope == Scope::kLead) return true;
  for (const RpcRule& rule : RpcRules()) {
    if (rpc == rule.rpc) return scope == Scope::kWorker ? rule.worker : rule.reader;
  }
  return false;
}

absl::Status Authorize(const Identity& caller, absl::string_view rpc) {
  if (ScopeAllows(caller.scope, rpc)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("token '", caller.name, "' (", ScopeName(caller.scope), ") may not call ", rpc));
}

}  // namespace foldstack::auth
