// How the agent calls the coordinator: every report is idempotent on the coordinator's side, so
// transient transport errors are retried.
#ifndef FOLDSTACK_WORKER_AGENT_COORDINATOR_CALLS_H_
#define FOLDSTACK_WORKER_AGENT_COORDINATOR_CALLS_H_

#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace foldstack::worker {

bool IsTransient(const absl::Status& status);
// A held job the coordinator no longer recognises: stop working on it.
bool IsLeaseLost(const absl::Status& status);
// Makes the call with a fresh context (30 s deadline) up to 6 times while it fails transiently.
absl::Status CallWithRetry(const std::string& token, const std::function<grpc::Status(grpc::ClientContext*)>& call);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_COORDINATOR_CALLS_H_
