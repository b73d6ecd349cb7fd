// The dashboard's login sessions, in memory only (a restart logs everyone out): a random id (the
// cookie) -> who logged in, a CSRF token tied to the session, and when it expires. Tokens are
// never kept; the session stands in for the token until it expires or the user logs out.
#ifndef FOLDSTACK_COORDINATOR_HTTP_SESSION_STORE_H_
#define FOLDSTACK_COORDINATOR_HTTP_SESSION_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "coordinator/auth/scope.h"
#include "coordinator/managers/clock.h"

namespace foldstack::http {

struct Session {
  std::string id;    // 64 hex digits from the system's CSPRNG; the cookie's value
  std::string csrf;  // 64 hex digits; POSTs must echo it
  auth::Identity identity;    // as at login; each request asks the tokens in force again
  std::string token_digest;  // the token's SHA-256 (never the token): revoking it ends the session
  int64_t expires_ms = 0;
};

class SessionStore {
 public:
  static constexpr int64_t kLifetimeMs = 12LL * 3600 * 1000;

  explicit SessionStore(coordinator::Clock& clock) : clock_(clock) {}

  // A new session for `identity` (whose token has `token_digest`), valid for kLifetimeMs.
  Session Create(const auth::Identity& identity, const std::string& token_digest);
  // The live session with this id; nullopt for an unknown or expired one (which is dropped).
  std::optional<Session> Find(const std::string& id);
  void Erase(const std::string& id);
  size_t size();

 private:
  // Drops expired sessions, so abandoned logins do not pile up.
  void ExpireLocked(int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  coordinator::Clock& clock_;
  absl::Mutex mutex_;
  std::map<std::string, Session> sessions_ ABSL_GUARDED_BY(mutex_);
};

// 32 random bytes as hex (RAND_bytes).
std::string RandomHexId();

// Compares two secrets in time independent of where they differ.
bool SecretsEqual(const std::string& a, const std::string& b);

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_SESSION_STORE_H_
