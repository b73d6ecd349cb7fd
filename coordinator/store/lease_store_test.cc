#include "coordinator/store/lease_store.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/store/job_store.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

class LeaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenFreshDb("lease_store");
    toy_ = MakeToySweep(*db_, /*trials=*/1, /*k=*/2, /*samples=*/12, /*max_attempts=*/2);
    auto txn = Transaction::Begin(*db_);
    ASSERT_TRUE(txn.ok());
    auto insert = (*txn)->Prepare(
        "INSERT INTO workers(id, hostname, cpu_cores, devices_json, slots, version, registered_ms, "
        "last_heartbeat_ms) VALUES('w1', 'host-a', 2, '[]', 1, 'test', 0, 0)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->Run().ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  // Leases the first job of the toy sweep to w1 (lease 77, expires at `expires_ms`).
  int64_t StartFirstJob(int64_t expires_ms) {
    const int64_t job_id = QueryInt(*db_, "SELECT MIN(id) FROM jobs");
    auto txn = Transaction::Begin(*db_);
    EXPECT_TRUE(txn.ok());
    EXPECT_TRUE(StartAttempt(**txn, JobTable::kTrain, job_id, 77, "w1", expires_ms, 10).ok());
    EXPECT_TRUE((*txn)->Commit().ok());
    return job_id;
  }

  std::unique_ptr<SqliteDb> db_;
  testing::ToySweep toy_;
};

TEST_F(LeaseStoreTest, LeaseCarriesTheJobsPlaceAndItsChecksSayWhyAReportIsRefused) {
  const int64_t job_id = StartFirstJob(/*expires_ms=*/100);
  auto txn = Transaction::Begin(*db_);
  ASSERT_TRUE(txn.ok());
  auto lease = LoadLease(**txn, JobTable::kTrain, job_id);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_EQ(lease->state, sweep::JobState::kRunning);
  EXPECT_EQ(lease->lease_id, 77);
  EXPECT_EQ(lease->attempt, 1);
  EXPECT_EQ(lease->max_attempts, 2);
  EXPECT_EQ(lease->num_classes, 3);
  EXPECT_EQ(lease->sweep_id, toy_.sweep_id);
  EXPECT_EQ(lease->split_id, toy_.split_id);
  EXPECT_TRUE(CheckLeaseLive(*lease, 77, 100).ok());
  EXPECT_EQ(CheckLeaseLive(*lease, 78, 50).message(),
            absl::StrCat("job ", job_id, ": lease 78 is not the job's current lease; report discarded"));
  EXPECT_EQ(CheckLeaseLive(*lease, 77, 101).message(),
            absl::StrCat("job ", job_id, ": lease 77 expired; report discarded"));
  EXPECT_EQ(CheckLeaseHeld(**txn, JobTable::kPredict, 5, 1, 0).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LeaseStoreTest, ExpiredLeasesAreFoundWithTheirWorkerAndHeartbeatsRevokeOthers) {
  const int64_t job_id = StartFirstJob(/*expires_ms=*/100);
  auto txn = Transaction::Begin(*db_);
  ASSERT_TRUE(txn.ok());
  std::vector<int64_t> revoked;
  const std::vector<int64_t> held = {job_id, job_id + 1};  // the second is queued, not held
  ASSERT_TRUE(ExtendLeases(**txn, JobTable::kTrain, "w1", held, 90, 200, &revoked).ok());
  EXPECT_EQ(revoked, std::vector<int64_t>{job_id + 1});
  auto none = FindExpiredLeases(**txn, 150);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());  // extended to 200
  auto expired = FindExpiredLeases(**txn, 201);
  ASSERT_TRUE(expired.ok());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].table, JobTable::kTrain);
  EXPECT_EQ((*expired)[0].job_id, job_id);
  EXPECT_EQ((*expired)[0].hostname, "host-a");
  ASSERT_TRUE(EndAttempt(**txn, JobTable::kTrain, job_id, /*requeue=*/true, "gone", "", 201).ok());
  auto lease = LoadLease(**txn, JobTable::kTrain, job_id);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->state, sweep::JobState::kQueued);
  EXPECT_EQ(CheckLeaseLive(*lease, 77, 201).message(),
            absl::StrCat("job ", job_id, ": lease 77 no longer runs (job is queued); report discarded"));
}

TEST_F(LeaseStoreTest, ANewAttemptKeepsOnlyTheMetricsOfTheEpochsItResumesAfter) {
  const int64_t job_id = StartFirstJob(/*expires_ms=*/100);
  const std::string count = absl::StrCat("SELECT COUNT(*) FROM metrics WHERE job_id = ", job_id);
  // Ends the attempt and starts the next, resuming after `resumed_epoch`.
  auto restart = [&](int64_t lease_id, int resumed_epoch) {
    auto txn = Transaction::Begin(*db_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(EndAttempt(**txn, JobTable::kTrain, job_id, /*requeue=*/true, "gone", "", 101).ok());
    ASSERT_TRUE(StartAttempt(**txn, JobTable::kTrain, job_id, lease_id, "w1", 300, 102, resumed_epoch).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  };
  {
    auto txn = Transaction::Begin(*db_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(UpsertMetrics(**txn, job_id, {{1, "loss", 0.9}, {2, "loss", 0.7}, {3, "loss", 0.6}}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  restart(78, 2);
  EXPECT_EQ(QueryInt(*db_, count), 2);
  EXPECT_EQ(QueryInt(*db_, absl::StrCat("SELECT MAX(epoch) FROM metrics WHERE job_id = ", job_id)), 2);
  restart(79, 0);  // afresh
  EXPECT_EQ(QueryInt(*db_, count), 0);
}

TEST(CheckProbRowsTest, NamesTheJobAndWhatIsWrong) {
  const std::vector<float> two_rows = {0.5f, 0.25f, 0.25f, 1.0f, 0.0f, 0.0f};
  EXPECT_TRUE(CheckProbRows("job 3", 2, two_rows, 3, 3).ok());
  EXPECT_EQ(CheckProbRows("job 3", 2, two_rows, 2, 3).message(),
            "job 3: predictions have 2 classes, the job's rows have 3 (the dataset's classes, or its trial's head's)");
  EXPECT_EQ(CheckProbRows("job 3", 3, two_rows, 3, 3).message(), "job 3: 6 probabilities for 3 samples x 3 classes");
  std::vector<float> nan_row = two_rows;
  nan_row[4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(CheckProbRows("prediction job 4", 2, nan_row, 3, 3).message(),
            "prediction job 4: row 1: probability nan; expected a finite number from 0 to 1");
}

}  // namespace
}  // namespace foldstack::coordinator
