#include "coordinator/auth/token_registry.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace foldstack::auth {
namespace {

absl::StatusOr<std::string> ReadTokensFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("tokens file ", path, ": cannot open"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenRegistry>> TokenRegistry::Load(const std::string& path) {
  std::unique_ptr<TokenRegistry> registry(new TokenRegistry(path));
  FS_RETURN_IF_ERROR(registry->Reload());
  return registry;
}

absl::StatusOr<Identity> TokenRegistry::Authenticate(absl::string_view authorization) const {
  return Current()->Authenticate(authorization);
}

absl::StatusOr<Identity> TokenRegistry::AuthenticateDigest(const std::string& digest) const {
  return Current()->AuthenticateDigest(digest);
}

std::shared_ptr<const TokenAuthenticator> TokenRegistry::Current() const {
  absl::MutexLock lock(&mutex_);
  return current_;
}

absl::Status TokenRegistry::Reload() {
  FS_ASSIGN_OR_RETURN(std::string bytes, ReadTokensFile(path_));
  return Install(bytes);
}

absl::StatusOr<bool> TokenRegistry::ReloadIfChanged() {
  FS_ASSIGN_OR_RETURN(std::string bytes, ReadTokensFile(path_));
  {
    absl::MutexLock lock(&mutex_);
    if (Sha256Hex(bytes) == last_read_digest_) return false;
  }
  FS_RETURN_IF_ERROR(Install(bytes));
  return true;
}

absl::Status TokenRegistry::Install(const std::string& bytes) {
  const std::vector<std::string> lines = absl::StrSplit(bytes, '\n');
  absl::StatusOr<TokenAuthenticator> parsed = TokenAuthenticator::FromLines(lines, absl::StrCat("tokens file ", path_));
  absl::MutexLock lock(&mutex_);
  last_read_digest_ = Sha256Hex(bytes);  // a bad file is reported once, not every poll
  if (!parsed.ok()) return parsed.status();
  current_ = std::make_shared<const TokenAuthenticator>(std::move(*parsed));
  return absl::OkStatus();
}

TokenFileWatcher::TokenFileWatcher(TokenRegistry& registry, int period_ms,
                                   std::function<void(const std::string&)> log)
    : registry_(registry), period_ms_(period_ms), log_(std::move(log)), thread_([this] { Run(); }) {}

TokenFileWatcher::~TokenFileWatcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void TokenFileWatcher::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(period_ms_), [this] { return stopping_; })) {
    absl::StatusOr<bool> reloaded = registry_.ReloadIfChanged();
    if (!reloaded.ok()) {
      log_(absl::StrCat(reloaded.status().message(), "; keeping the tokens in force"));
    } else if (*reloaded) {
      log_(absl::StrCat("reloaded tokens file ", registry_.path()));
    }
  }
}

}  // namespace foldstack::auth
