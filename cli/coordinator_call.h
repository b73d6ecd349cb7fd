// One RPC from a CLI command to the coordinator named by --coordinator / $FOLDSTACK_COORDINATOR,
// and printing its response as a table or (--json) as JSON. Uses flags defined in cli/main.cc:
// include only in sources linked into the foldstack binary.
#ifndef FOLDSTACK_CLI_COORDINATOR_CALL_H_
#define FOLDSTACK_CLI_COORDINATOR_CALL_H_

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/render.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"
#include "proto/tls.h"

ABSL_DECLARE_FLAG(std::string, coordinator);
ABSL_DECLARE_FLAG(std::string, token);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(bool, json);

namespace foldstack::cli {

// Prints "foldstack: MESSAGE" to stderr; returns exit code 1.
inline int Fail(const std::string& message) {
  std::cerr << "foldstack: " << message << std::endl;
  return 1;
}

// The channel to the coordinator the flags name: over TLS when --tls_ca / $FOLDSTACK_TLS_CA names a
// CA (main() refuses an unreadable CA file before any command runs).
inline std::shared_ptr<grpc::Channel> CoordinatorChannel() {
  return rpc::MakeClientChannel(rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator)),
                                rpc::ClientTlsCa(absl::GetFlag(FLAGS_tls_ca)));
}

// Calls `method`; on error prints one line and returns 1.
template <typename Request, typename Response>
int Call(grpc::Status (foldstack::v1::Coordinator::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         const Request& request, Response* response) {
  const std::string address = rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator));
  auto stub = foldstack::v1::Coordinator::NewStub(CoordinatorChannel());
  auto context = rpc::MakeContext(rpc::ClientToken(absl::GetFlag(FLAGS_token)), std::chrono::seconds(120));
  const grpc::Status status = (stub.get()->*method)(context.get(), request, response);
  if (status.ok()) return 0;
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE;
  return Fail(absl::StrCat(unreachable ? absl::StrCat("cannot reach the coordinator at ", address, ": ") : "",
                           status.error_message()));
}

// Prints `text`, or the response as JSON with --json; returns 0.
inline int Print(const google::protobuf::Message& response, const std::string& text) {
  std::cout << (absl::GetFlag(FLAGS_json) ? ToJson(response) + "\n" : text);
  return 0;
}

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_COORDINATOR_CALL_H_
