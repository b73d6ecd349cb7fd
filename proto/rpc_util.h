// Conversions between absl::Status and grpc::Status, and the bearer-token metadata every call carries.
#ifndef FOLDSTACK_PROTO_RPC_UTIL_H_
#define FOLDSTACK_PROTO_RPC_UTIL_H_

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace foldstack::rpc {

inline constexpr char kAuthorizationKey[] = "authorization";

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// A client context carrying `token` and an optional deadline (0 = none).
std::unique_ptr<grpc::ClientContext> MakeContext(const std::string& token,
                                                 std::chrono::milliseconds deadline = {});

// What a client (CLI, worker) connects to: the flag's value when given, else $FOLDSTACK_COORDINATOR
// (default 127.0.0.1:50051) / $FOLDSTACK_TOKEN (default empty).
std::string CoordinatorAddress(const std::string& flag);
std::string ClientToken(const std::string& flag);

// A channel to "host:port" with keepalive suited to long-lived workers: plaintext, or TLS with
// `credentials` (proto/tls.h).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace foldstack::rpc

#endif  // FOLDSTACK_PROTO_RPC_UTIL_H_
