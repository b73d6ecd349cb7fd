#include "coordinator/store/sweep_store.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

TEST(SweepStoreTest, CreatesTrialsTimesFoldsQueuedJobs) {
  auto db = OpenFreshDb("sweep_jobs");
  auto toy = MakeToySweep(*db, /*trials=*/3, /*k=*/4);
  ASSERT_GT(toy.sweep_id, 0);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM trials"), 3);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND attempt = 0"), 12);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(DISTINCT trial_id || '/' || fold) FROM jobs"), 12);
  EXPECT_EQ(QueryInt(*db, "SELECT state = 'running' FROM sweeps"), 1);
}

TEST(SweepStoreTest, TwoSweepsShareOneSplit) {
  auto db = OpenFreshDb("sweep_share");
  auto first = MakeToySweep(*db, 1, 3);
  auto second = MakeToySweep(*db, 2, 3);
  EXPECT_EQ(first.split_id, second.split_id);
  EXPECT_NE(first.sweep_id, second.sweep_id);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM splits"), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM jobs"), 9);
}

TEST(SweepStoreTest, UnknownSplitWritesNothing) {
  auto db = OpenFreshDb("sweep_nosplit");
  SweepRecord sweep;
  sweep.name = "x";
  sweep.dataset_id = 1;
  sweep.split_id = 5;
  sweep.trial_params_json = {"{}"};
  auto created = InsertSweep(*db, sweep, 1);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM sweeps"), 0);
}

TEST(SweepStoreTest, FailureMidwayLeavesNoSweepTrialsOrJobs) {
  auto db = OpenFreshDb("sweep_rollback");
  auto toy = MakeToySweep(*db, 1, 2);
  // A trigger makes the 5th job insert fail, after the sweep, trials and 4 jobs were written.
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->ExecScript(
        "CREATE TRIGGER boom BEFORE INSERT ON jobs WHEN (SELECT COUNT(*) FROM jobs) >= 6 "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END;", "trigger").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  SweepRecord sweep;
  sweep.name = "big";
  sweep.dataset_id = toy.dataset_id;
  sweep.split_id = toy.split_id;
  sweep.trial_params_json = {"{}", "{}", "{}"};
  auto created = InsertSweep(*db, sweep, 1);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("boom"), std::string::npos) << created.status();
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM sweeps"), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM trials"), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM jobs"), 2);
}

}  // namespace
}  // namespace foldstack::coordinator
