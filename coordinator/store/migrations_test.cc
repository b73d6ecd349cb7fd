#include "coordinator/store/migrations.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::FreshDbPath;
using testing::QueryInt;

TEST(MigrationsTest, FreshDatabaseGetsLatestVersion) {
  auto db = OpenFoldstackDb(FreshDbPath("fresh"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'v_leaderboard'"), 1);
}

TEST(MigrationsTest, EveryAnalystViewCanBeQueried) {
  auto db = OpenFoldstackDb(FreshDbPath("views"));
  ASSERT_TRUE(db.ok()) << db.status();
  testing::MakeToySweep(**db, 1, 2);
  for (const char* view : {"v_leaderboard", "v_oof_predictions", "v_jobs", "v_metrics",
                           "v_sweeps", "v_workers", "v_relabel_candidates", "v_label_overrides",
                           "v_ensembles"}) {
    EXPECT_GE(QueryInt(**db, std::string("SELECT COUNT(*) FROM ") + view), 0) << view;
  }
  EXPECT_EQ(QueryInt(**db, "SELECT jobs_queued FROM v_sweeps"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_jobs WHERE state = 'queued'"), 2);
}

TEST(MigrationsTest, ReopeningIsIdempotent) {
  const std::string path = FreshDbPath("reopen");
  {
    auto db = OpenFoldstackDb(path);
    ASSERT_TRUE(db.ok()) << db.status();
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_TRUE(Migrate(**db, FoldstackMigrations()).ok());
}

TEST(MigrationsTest, VersionOneMigratesForward) {
  const std::string path = FreshDbPath("v1");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> only_first(FoldstackMigrations().begin(),
                                            FoldstackMigrations().begin() + 1);
    ASSERT_TRUE(Migrate(**db, only_first).ok());
    EXPECT_EQ(*SchemaVersion(**db), 1);
    EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'"), 0);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_GE(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'"), 2);
}

// Migrations 3 and 4 on a database with results: rows kept, old jobs have no checkpoint.
TEST(MigrationsTest, VersionTwoGainsReviewAndPredictionTablesAndKeepsItsRows) {
  const std::string path = FreshDbPath("v2");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> first_two(FoldstackMigrations().begin(),
                                           FoldstackMigrations().begin() + 2);
    ASSERT_TRUE(Migrate(**db, first_two).ok());
    testing::MakeToySweep(**db, 1, 2);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), 4);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs WHERE checkpoint_path IS NULL"), 2);
  for (const char* table : {"prediction_runs", "prediction_images", "prediction_jobs", "eval_probs",
                            "v_eval_predictions"}) {
    EXPECT_EQ(QueryInt(**db, std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
  // Existing datasets hold original labels (version 0, no base) and sweeps show it.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM datasets WHERE base_dataset_id IS NULL "
                           "AND label_version = 0"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT label_version FROM v_sweeps"), 0);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_relabel_candidates"), 0);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM label_versions"), 0);
}

TEST(MigrationsTest, NewerDatabaseIsRefused) {
  const std::string path = FreshDbPath("newer");
  {
    auto db = OpenFoldstackDb(path);
    ASSERT_TRUE(db.ok());
    auto txn = Transaction::Begin(**db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->SetPragmaInt("user_version", 99).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("version 99 is newer"), std::string::npos) << db.status();
}

TEST(MigrationsTest, FailedStepLeavesVersionUnchanged) {
  auto db = SqliteDb::Open(FreshDbPath("failed"));
  ASSERT_TRUE(db.ok());
  const std::vector<Migration> steps = {
      {1, "good", "CREATE TABLE a(x INTEGER);"},
      {2, "bad", "CREATE TABLE b(x INTEGER); CREATE TABLE a(y INTEGER);"},
  };
  absl::Status status = Migrate(**db, steps);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("migration 2 (bad)"), std::string::npos) << status;
  EXPECT_EQ(*SchemaVersion(**db), 1);
  // Step 2's first table was rolled back with the step.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
