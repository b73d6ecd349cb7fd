// The one table of which scopes may call which coordinator RPC. A lead token may call every RPC;
// the table names the RPCs a worker and a reader token may call as well. rpc_scopes_test checks
// every RPC of the service descriptor against it, so a new RPC without an entry fails that test.
#ifndef FOLDSTACK_COORDINATOR_AUTH_RPC_SCOPES_H_
#define FOLDSTACK_COORDINATOR_AUTH_RPC_SCOPES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "coordinator/auth/scope.h"

namespace foldstack::auth {

struct RpcRule {
  const char* rpc;  // the method name in proto/foldstack.proto, e.g. "SubmitSweep"
  bool worker;      // a worker token may call it
  bool reader;      // a reader token may call it
};

// Every RPC of foldstack.v1.Coordinator, once.
const std::vector<RpcRule>& RpcRules();

// Whether `scope` may call `rpc`. An RPC missing from the table is lead-only.
bool ScopeAllows(Scope scope, absl::string_view rpc);

// OK, or PERMISSION_DENIED: "token 'ci' (reader) may not call SubmitSweep".
absl::Status Authorize(const Identity& caller, absl::string_view rpc);

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_RPC_SCOPES_H_
