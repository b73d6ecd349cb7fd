#include "cli/artifact_commands.h"

#include <filesystem>
#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/artifact_args.h"
#include "cli/coordinator_call.h"
#include "cli/render.h"
#include "common/byte_size.h"
#include "common/sha256.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"
#include "worker/agent/artifact_client.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, trial);
ABSL_FLAG(int64_t, keep_top, -1, "artifacts prune: trials whose checkpoints are kept (the best N)");
ABSL_FLAG(bool, dry_run, false, "artifacts prune: show what would be deleted, delete nothing");

namespace foldstack::cli {
namespace {

using foldstack::v1::Coordinator;

int Get(const ArtifactCommand& command) {
  const std::string address = rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator));
  auto stub = Coordinator::NewStub(CoordinatorChannel());
  absl::Status status = worker::DownloadArtifact(*stub, rpc::ClientToken(absl::GetFlag(FLAGS_token)),
                                                 command.artifact_id, command.out);
  if (!status.ok()) {
    const bool unreachable = status.code() == absl::StatusCode::kUnavailable;
    return Fail(absl::StrCat(unreachable ? absl::StrCat("cannot reach the coordinator at ", address, ": ") : "",
                             status.message()));
  }
  std::error_code error;
  const auto bytes = std::filesystem::file_size(command.out, error);
  absl::StatusOr<std::string> sha = common::Sha256OfFile(command.out);
  std::cout << "wrote artifact " << command.artifact_id << " to " << command.out << ": " << bytes << " bytes ("
            << common::FormatBytes(static_cast<int64_t>(bytes)) << "), sha256 " << sha.value_or("?") << " verified\n";
  return 0;
}

}  // namespace

int RunArtifacts(const std::vector<std::string>& args) {
  ArtifactFlags flags;
  flags.trial = absl::GetFlag(FLAGS_trial);
  flags.out = absl::GetFlag(FLAGS_out);
  flags.keep_top = absl::GetFlag(FLAGS_keep_top);
  flags.dry_run = absl::GetFlag(FLAGS_dry_run);
  absl::StatusOr<ArtifactCommand> command =
      ParseArtifactArgs(std::vector<std::string>(args.begin() + std::min<size_t>(2, args.size()), args.end()), flags);
  if (!command.ok()) return Fail(std::string(command.status().message()));
  switch (command->action) {
    case ArtifactCommand::Action::kGet:
      return Get(*command);
    case ArtifactCommand::Action::kList: {
      v1::ListArtifactsRequest request;
      request.set_sweep(command->sweep);
      request.set_trial_id(command->trial_id);
      v1::ListArtifactsResponse response;
      if (int rc = Call(&Coordinator::Stub::ListArtifacts, request, &response); rc != 0) return rc;
      return Print(response, RenderArtifacts(response));
    }
    case ArtifactCommand::Action::kPrune: {
      v1::PruneArtifactsRequest request;
      request.set_sweep(command->sweep);
      request.set_keep_top(command->keep_top);
      request.set_dry_run(command->dry_run);
      v1::PruneArtifactsResponse response;
      if (int rc = Call(&Coordinator::Stub::PruneArtifacts, request, &response); rc != 0) return rc;
      return Print(response, RenderPrunedArtifacts(response, command->dry_run));
    }
  }
  return 2;
}

}  // namespace foldstack::cli
