// The tokens the coordinator accepts now: the tokens file as last read without error. It is read
// again on Reload() (SIGHUP) and by a TokenFileWatcher whenever the file's bytes change, so a token
// is revoked by editing the file; a bad file keeps the tokens in force and says why in one line.
#ifndef FOLDSTACK_COORDINATOR_AUTH_TOKEN_REGISTRY_H_
#define FOLDSTACK_COORDINATOR_AUTH_TOKEN_REGISTRY_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/auth/token_auth.h"

namespace foldstack::auth {

class TokenRegistry {
 public:
  // Reads `path`; a bad or missing file is an error (the coordinator refuses to start).
  static absl::StatusOr<std::unique_ptr<TokenRegistry>> Load(const std::string& path);

  absl::StatusOr<Identity> Authenticate(absl::string_view authorization) const;
  // As TokenAuthenticator::AuthenticateDigest, against the tokens in force.
  absl::StatusOr<Identity> AuthenticateDigest(const std::string& digest) const;

  // Reads the file again. On error the tokens in force stay and the error (one line naming the
  // file and line) is returned.
  absl::Status Reload();
  // Reload() if the file's bytes differ from those last read (good or bad): false when unchanged.
  absl::StatusOr<bool> ReloadIfChanged();

  const std::string& path() const { return path_; }

 private:
  explicit TokenRegistry(std::string path) : path_(std::move(path)) {}
  std::shared_ptr<const TokenAuthenticator> Current() const;
  // Parses `bytes` and, when good, puts them in force.
  absl::Status Install(const std::string& bytes);

  const std::string path_;
  mutable absl::Mutex mutex_;
  std::shared_ptr<const TokenAuthenticator> current_ ABSL_GUARDED_BY(mutex_);
  std::string last_read_digest_ ABSL_GUARDED_BY(mutex_);
};

// Calls registry.ReloadIfChanged() every `period_ms` on a thread of its own, passing each reload's
// outcome to `log` (one line: "reloaded ..." or the error). Stops on destruction.
class TokenFileWatcher {
 public:
  TokenFileWatcher(TokenRegistry& registry, int period_ms, std::function<void(const std::string&)> log);
  ~TokenFileWatcher();

 private:
  void Run();

  TokenRegistry& registry_;
  const int period_ms_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_TOKEN_REGISTRY_H_
