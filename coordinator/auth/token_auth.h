// Bearer-token access control. The coordinator reads the accepted tokens from a file and keeps only
// their SHA-256 digests, so no token is held, logged or stored in clear after start-up.
//
// Tokens file: one token a line, '#' comments and blank lines ignored. A line is either
//   NAME SCOPE TOKEN    e.g. "ci reader 3f9c...": NAME ([A-Za-z0-9_.-]+) identifies the caller in
//                       logs, errors and the audit; SCOPE is worker, reader or lead (scope.h)
//   TOKEN               the old format: a lead token, named by its fingerprint
#ifndef FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_
#define FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/auth/scope.h"

namespace foldstack::auth {

// Hex SHA-256 of `token`.
std::string Sha256Hex(absl::string_view token);

// The first 12 hex digits of the token's SHA-256: safe to log and store.
std::string TokenFingerprint(absl::string_view token);

class TokenAuthenticator {
 public:
  // Reads the tokens file. Refuses an unreadable or empty file, or a bad line, with one line naming
  // the file (and the line number); never echoes a token.
  static absl::StatusOr<TokenAuthenticator> FromFile(const std::string& path);
  // `lines` as in the file; `origin` names them in errors.
  static absl::StatusOr<TokenAuthenticator> FromLines(const std::vector<std::string>& lines,
                                                      absl::string_view origin);

  // `authorization` is the metadata value, "Bearer <token>". Returns who called, or
  // UNAUTHENTICATED (which never echoes the presented token).
  absl::StatusOr<Identity> Authenticate(absl::string_view authorization) const;

  // Who holds the token whose Sha256Hex is `digest` (a dashboard session keeps the digest, never
  // the token, and asks again on every request, so revoking the token ends its sessions).
  absl::StatusOr<Identity> AuthenticateDigest(const std::string& digest) const;

  size_t size() const { return identities_.size(); }

 private:
  // One line; no-op for blanks and comments.
  absl::Status AddLine(absl::string_view line);

  std::map<std::string, Identity> identities_;  // by the token's digest
};

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_TOKEN_AUTH_H_
