#include "coordinator/auth/access_control.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/auth/rpc_scopes.h"

namespace foldstack::auth {

absl::StatusOr<Identity> AccessControl::Check(absl::string_view authorization, absl::string_view peer,
                                              absl::string_view rpc) {
  const std::string host = PeerHost(peer);
  if (limiter_->Blocked(host)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many failed authentications from ", host, "; try again in a minute"));
  }
  absl::StatusOr<Identity> caller = tokens_->Authenticate(authorization);
  if (!caller.ok()) {
    limiter_->RecordFailure(host);
    return caller.status();
  }
  FS_RETURN_IF_ERROR(Authorize(*caller, rpc));
  return caller;
}

}  // namespace foldstack::auth
