#include "coordinator/store/backup.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "coordinator/store/migrations.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::CountFilesUnder;
using testing::FreshDbPath;
using testing::MakeToySweep;
using testing::QueryInt;

TEST(BackupTest, CopiesAConsistentDatabaseWhileAnotherConnectionKeepsWriting) {
  const std::string path = FreshDbPath("backup_source");
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  MakeToySweep(**db, 3, 5);
  const int64_t jobs = QueryInt(**db, "SELECT COUNT(*) FROM jobs");
  ASSERT_GT(jobs, 0);
  // A writer busy in the coordinator's connection the whole time.
  std::atomic<bool> done{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    while (!done) {
      auto txn = Transaction::Begin(**db);
      if (!txn.ok()) continue;
      auto bump = (*txn)->Prepare("UPDATE jobs SET queued_ms = queued_ms + 1");
      if (bump.ok() && bump->Run().ok() && (*txn)->Commit().ok()) ++writes;
    }
  });
  const std::string out = FreshDbPath("backup_copy");
  absl::StatusOr<BackupResult> copied = BackupDatabase(path, out);
  done = true;
  writer.join();
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_GT(writes.load(), 0);
  EXPECT_GT(copied->pages, 0);
  EXPECT_EQ(copied->bytes, static_cast<int64_t>(std::filesystem::file_size(out)));
  EXPECT_EQ(copied->schema_version, QueryInt(**db, "PRAGMA user_version"));
  EXPECT_FALSE(std::filesystem::exists(out + "-wal"));  // a standalone file

  // The copy opens as a Foldstack database (no migration needed) with every job.
  auto restored = OpenFoldstackDb(out);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(QueryInt(**restored, "SELECT COUNT(*) FROM jobs"), jobs);
  EXPECT_EQ(QueryInt(**restored, "SELECT COUNT(*) FROM sweeps"), 1);
}

TEST(BackupTest, RefusesAnExistingTargetAndAForeignFileAndLeavesNothingBehind) {
  const std::string path = FreshDbPath("backup_refusals");
  {
    auto db = OpenFoldstackDb(path);
    ASSERT_TRUE(db.ok()) << db.status();
  }
  const std::string dir = std::filesystem::path(FreshDbPath("backup_out")).parent_path().string() + "/refusals";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/taken.db") << "keep me";
  absl::StatusOr<BackupResult> taken = BackupDatabase(path, dir + "/taken.db");
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.status().message(), dir + "/taken.db: exists; choose a new file for the backup");

  std::ofstream(dir + "/other.db") << "";  // an empty file opens as an empty SQLite database
  absl::StatusOr<BackupResult> foreign = BackupDatabase(dir + "/other.db", dir + "/copy.db");
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(foreign.status().message(), dir + "/other.db: not a Foldstack results database (no sweeps table)");
  EXPECT_EQ(BackupDatabase(dir + "/none.db", dir + "/copy.db").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(CountFilesUnder(dir), 2);  // taken.db and other.db only: no copy, no temp file
}

}  // namespace
}  // namespace foldstack::coordinator
