#include "coordinator/http/session_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/escaping.h"

namespace foldstack::http {

std::string RandomHexId() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // Without randomness a session id could be guessed; refuse to go on rather than serve one.
    std::cerr << "foldstack-coordinator: RAND_bytes failed; cannot make a session id" << std::endl;
    std::abort();
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

bool SecretsEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Session SessionStore::Create(const auth::Identity& identity, const std::string& token_digest) {
  Session session{RandomHexId(), RandomHexId(), identity, token_digest, clock_.NowMs() + kLifetimeMs};
  absl::MutexLock lock(&mutex_);
  ExpireLocked(clock_.NowMs());
  sessions_[session.id] = session;
  return session;
}

std::optional<Session> SessionStore::Find(const std::string& id) {
  absl::MutexLock lock(&mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_ms <= clock_.NowMs()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::Erase(const std::string& id) {
  absl::MutexLock lock(&mutex_);
  sessions_.erase(id);
}

size_t SessionStore::size() {
  absl::MutexLock lock(&mutex_);
  return sessions_.size();
}

void SessionStore::ExpireLocked(int64_t now_ms) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires_ms <= now_ms ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace foldstack::http
