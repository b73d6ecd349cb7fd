// Bearer-token access control. The coordinator reads the accepted tokens from a file (one a line,
// '#' comments and blank lines ignored) and keeps only their SHA-256 digests, so no token is held,
// logged or stored in clear after start-up. A caller is identified by a short fingerprint of its token.
#ifndef FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_
#define FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_

#include <set>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace foldstack::auth {

// Hex SHA-256 of `token`.
std::string Sha256Hex(absl::string_view token);

// The first 12 hex digits of the token's SHA-256: safe to log and store.
std::string TokenFingerprint(absl::string_view token);

class TokenAuthenticator {
 public:
  // Reads the tokens file; refuses an unreadable or empty file with one line naming it.
  static absl::StatusOr<TokenAuthenticator> FromFile(const std::string& path);
  static TokenAuthenticator FromTokens(const std::set<std::string>& tokens);

  // `authorization` is the metadata value, "Bearer <token>". Returns the caller's fingerprint,
  // or UNAUTHENTICATED (which never echoes the presented token).
  absl::StatusOr<std::string> Authenticate(absl::string_view authorization) const;

  size_t size() const { return digests_.size(); }

 private:
  std::set<std::string> digests_;
};

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_
