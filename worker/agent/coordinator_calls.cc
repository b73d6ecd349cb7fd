#include "worker/agent/coordinator_calls.h"

#include <chrono>
#include <thread>

#include "proto/rpc_util.h"

namespace foldstack::worker {

bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

bool IsLeaseLost(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition || status.code() == absl::StatusCode::kNotFound;
}

absl::Status CallWithRetry(const std::string& token, const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  absl::Status status;
  for (int attempt = 0; attempt < 6; ++attempt) {
    auto context = rpc::MakeContext(token, std::chrono::milliseconds(30000));
    status = rpc::FromGrpcStatus(call(context.get()));
    if (!IsTransient(status)) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
  return status;
}

}  // namespace foldstack::worker
