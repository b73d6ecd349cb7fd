// What a token may do. Each line of the tokens file grants one scope; the RPC -> scope table
// (rpc_scopes.h) says which scopes may call each RPC.
#ifndef FOLDSTACK_COORDINATOR_AUTH_SCOPE_H_
#define FOLDSTACK_COORDINATOR_AUTH_SCOPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::auth {

enum class Scope {
  kWorker,  // the RPCs a worker agent makes, nothing else
  kReader,  // read-only RPCs: lists, shows, leaderboards, watches, downloads
  kLead,    // everything
};

// "worker", "reader", "lead".
absl::string_view ScopeName(Scope scope);

// The inverse of ScopeName; INVALID_ARGUMENT naming the accepted words otherwise.
absl::StatusOr<Scope> ParseScope(absl::string_view name);

// Who called: the token's name from the tokens file (never the token) and its scope.
struct Identity {
  std::string name;
  Scope scope = Scope::kLead;
};

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_SCOPE_H_
