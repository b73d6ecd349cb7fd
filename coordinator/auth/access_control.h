// Everything the server asks before serving a call, in order: is the peer locked out by failed
// authentications (RESOURCE_EXHAUSTED), is the token good (UNAUTHENTICATED, counted against the
// peer), may its scope call this RPC (PERMISSION_DENIED).
#ifndef FOLDSTACK_COORDINATOR_AUTH_ACCESS_CONTROL_H_
#define FOLDSTACK_COORDINATOR_AUTH_ACCESS_CONTROL_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/auth/failure_limiter.h"
#include "coordinator/auth/scope.h"
#include "coordinator/auth/token_registry.h"

namespace foldstack::auth {

class AccessControl {
 public:
  AccessControl(const TokenRegistry* tokens, FailureLimiter* limiter) : tokens_(tokens), limiter_(limiter) {}

  // `authorization`: the metadata value ("Bearer <token>"); `peer`: the gRPC peer string;
  // `rpc`: the method name, e.g. "SubmitSweep".
  absl::StatusOr<Identity> Check(absl::string_view authorization, absl::string_view peer, absl::string_view rpc);

 private:
  const TokenRegistry* tokens_;
  FailureLimiter* limiter_;
};

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_ACCESS_CONTROL_H_
