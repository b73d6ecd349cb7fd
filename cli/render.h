// How the CLI shows the coordinator's answers: aligned tables for people, JSON for scripts.
#ifndef FOLDSTACK_CLI_RENDER_H_
#define FOLDSTACK_CLI_RENDER_H_

#include <string>

#include "google/protobuf/message.h"
#include "proto/foldstack.pb.h"

namespace foldstack::cli {

std::string RenderSweeps(const foldstack::v1::ListSweepsResponse& response);
std::string RenderSweep(const foldstack::v1::ShowSweepResponse& response);
std::string RenderWorkers(const foldstack::v1::ListWorkersResponse& response, int64_t now_unix_ms);
// The audit trail, newest first: WHEN (UTC), WHO, ACTION, OBJECT.
std::string RenderAudit(const foldstack::v1::ListAuditResponse& response);
std::string RenderLeaderboard(const foldstack::v1::LeaderboardResponse& response);
// One status line for `sweep watch`: bar, counts, best score, ETA.
// `foldstack trials SWEEP_ID`: state, folds done, value, where pruned, distinguishing params.
std::string RenderTrials(const foldstack::v1::ListTrialsResponse& response);

std::string RenderProgress(const foldstack::v1::SweepSummary& summary);

// `foldstack artifacts list`: id, trial, fold, kind, epoch, size, sha256 prefix, created; then a total.
std::string RenderArtifacts(const foldstack::v1::ListArtifactsResponse& response);
// `foldstack artifacts prune`: what went (or would go, `dry_run`) and the space freed.
std::string RenderPrunedArtifacts(const foldstack::v1::PruneArtifactsResponse& response, bool dry_run);
// "best", "resume", "log".
std::string ArtifactKindLabel(foldstack::v1::ArtifactKind kind);

// The message as one JSON object (proto3 JSON mapping, field names as in the .proto).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_RENDER_H_
