#include "coordinator/http/http_auth.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "coordinator/auth/rpc_scopes.h"

namespace foldstack::http {

std::string CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
  }
  return "";
}

absl::StatusOr<Session> HttpAuth::Login(const std::string& token, const std::string& peer) {
  const std::string host = auth::PeerHost(peer);
  if (limiter_->Blocked(host)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many failed authentications from ", host, "; try again in a minute"));
  }
  absl::StatusOr<auth::Identity> who = tokens_->Authenticate(absl::StrCat("Bearer ", token));
  if (!who.ok()) {
    limiter_->RecordFailure(host);
    return absl::UnauthenticatedError("wrong token");
  }
  if (who->scope == auth::Scope::kWorker) {
    return absl::PermissionDeniedError(
        absl::StrCat("token '", who->name, "' is a worker token; the dashboard takes lead or reader tokens"));
  }
  return sessions_->Create(*who, auth::Sha256Hex(token));
}

absl::StatusOr<Caller> HttpAuth::Check(const Presented& request, absl::string_view rpc) {
  if (!request.authorization.empty()) {
    FS_ASSIGN_OR_RETURN(auth::Identity who, access_.Check(request.authorization, request.peer, rpc));
    return Caller{who, ""};
  }
  const std::string id = CookieValue(request.cookie_header, kSessionCookie);
  std::optional<Session> session = id.empty() ? std::nullopt : sessions_->Find(id);
  if (!session.has_value()) return absl::UnauthenticatedError("log in first (no session, or it expired)");
  // The tokens file may have changed since the login: a revoked token ends its sessions, and a
  // changed scope applies at once.
  absl::StatusOr<auth::Identity> holder = tokens_->AuthenticateDigest(session->token_digest);
  if (!holder.ok()) {
    sessions_->Erase(session->id);
    return holder.status();
  }
  session->identity = *holder;
  if (request.post && !SecretsEqual(request.csrf, session->csrf)) {
    return absl::PermissionDeniedError("missing or wrong CSRF token (X-CSRF-Token header or csrf field)");
  }
  FS_RETURN_IF_ERROR(auth::Authorize(session->identity, rpc));
  return Caller{session->identity, session->csrf};
}

void HttpAuth::Logout(const Presented& request) {
  const std::string id = CookieValue(request.cookie_header, kSessionCookie);
  if (!id.empty()) sessions_->Erase(id);
}

}  // namespace foldstack::http
