// Who is calling the dashboard, with the same tokens, scopes and failure limiter as gRPC:
// - POST /login exchanges a token for a session (SessionStore): wrong tokens count against the
//   peer's failure limit, worker tokens are refused (the dashboard is for people);
// - a request carries either that session's cookie or `Authorization: Bearer TOKEN` (scripts);
// - a POST on a session must carry the session's CSRF token (a bearer request carries no ambient
//   credential a foreign page could ride on, so it needs none);
// - each route names the RPC whose scope it needs (rpc_scopes.h), e.g. reads as ListSweeps.
#ifndef FOLDSTACK_COORDINATOR_HTTP_HTTP_AUTH_H_
#define FOLDSTACK_COORDINATOR_HTTP_HTTP_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/auth/access_control.h"
#include "coordinator/auth/failure_limiter.h"
#include "coordinator/auth/token_registry.h"
#include "coordinator/http/session_store.h"

namespace foldstack::http {

inline constexpr char kSessionCookie[] = "foldstack_session";

// What a request presents, as its headers and form give it.
struct Presented {
  std::string cookie_header;  // the Cookie header, "" when absent
  std::string authorization;  // the Authorization header, "" when absent
  std::string csrf;           // X-CSRF-Token header or the form's csrf field
  bool post = false;
  std::string peer;  // the remote address
};

struct Caller {
  auth::Identity identity;
  std::string csrf;  // the session's CSRF token; "" for bearer calls
};

class HttpAuth {
 public:
  HttpAuth(auth::TokenRegistry* tokens, auth::FailureLimiter* limiter, SessionStore* sessions)
      : tokens_(tokens), limiter_(limiter), access_(tokens, limiter), sessions_(sessions) {}

  // RESOURCE_EXHAUSTED while the peer is locked out, UNAUTHENTICATED for a wrong token,
  // PERMISSION_DENIED for a worker token; else a new session.
  absl::StatusOr<Session> Login(const std::string& token, const std::string& peer);

  // The caller, if it may call `rpc`: UNAUTHENTICATED without a live session or good token,
  // PERMISSION_DENIED for a missing/wrong CSRF token on a session POST or a scope that may not.
  absl::StatusOr<Caller> Check(const Presented& request, absl::string_view rpc);

  void Logout(const Presented& request);

 private:
  auth::TokenRegistry* tokens_;
  auth::FailureLimiter* limiter_;
  auth::AccessControl access_;
  SessionStore* sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" when absent.
std::string CookieValue(absl::string_view header, absl::string_view name);

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_HTTP_AUTH_H_
