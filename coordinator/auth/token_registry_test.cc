#include "coordinator/auth/token_registry.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"

namespace foldstack::auth {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(TokenRegistry, ReloadRevokesAndBadFileKeepsTheOldTokens) {
  const std::string path = TempPath("registry_tokens");
  std::ofstream(path) << "ana lead tok-ana\nci reader tok-ci\n";
  absl::StatusOr<std::unique_ptr<TokenRegistry>> registry = TokenRegistry::Load(path);
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ((*registry)->Authenticate("Bearer tok-ci")->name, "ci");
  absl::StatusOr<bool> unchanged = (*registry)->ReloadIfChanged();
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(*unchanged);

  std::ofstream(path) << "ana lead tok-ana\n";  // revoke ci
  absl::StatusOr<bool> changed = (*registry)->ReloadIfChanged();
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ((*registry)->Authenticate("Bearer tok-ci").status().code(), absl::StatusCode::kUnauthenticated);

  std::ofstream(path) << "ana lead tok-ana\nbroken line\n";
  absl::Status bad = (*registry)->Reload();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find(path + ":2:"), std::string::npos) << bad;
  EXPECT_TRUE((*registry)->Authenticate("Bearer tok-ana").ok());  // old tokens still in force
  // The same bad bytes are reported once, not on every poll.
  absl::StatusOr<bool> again = (*registry)->ReloadIfChanged();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(TokenRegistry, RefusesABadFileAtLoad) {
  const std::string path = TempPath("registry_bad");
  std::ofstream(path) << "x superuser tok\n";
  absl::Status status = TokenRegistry::Load(path).status();
  EXPECT_EQ(status.message(), "tokens file " + path + ":1: unknown scope 'superuser' (expected worker, reader or lead)");
}

TEST(TokenFileWatcher, PicksUpAnEditedFile) {
  const std::string path = TempPath("watched_tokens");
  std::ofstream(path) << "ana lead tok-ana\n";
  auto registry = TokenRegistry::Load(path);
  ASSERT_TRUE(registry.ok());
  absl::Mutex mutex;
  std::vector<std::string> logged;
  TokenFileWatcher watcher(**registry, 20, [&](const std::string& line) {
    absl::MutexLock lock(&mutex);
    logged.push_back(line);
  });
  std::ofstream(path) << "ana lead tok-ana-2\n";
  for (int i = 0; i < 200 && (*registry)->Authenticate("Bearer tok-ana").ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE((*registry)->Authenticate("Bearer tok-ana").ok());
  EXPECT_TRUE((*registry)->Authenticate("Bearer tok-ana-2").ok());
  absl::MutexLock lock(&mutex);
  ASSERT_FALSE(logged.empty());
  EXPECT_EQ(logged[0], "reloaded tokens file " + path);
}

}  // namespace
}  // namespace foldstack::auth
