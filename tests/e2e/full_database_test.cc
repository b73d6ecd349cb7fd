// A full disk and a read-only database, at the front door: SQLite's max_page_count stands in for a
// full disk (the database cannot grow) and query_only for a read-only mount, set on the coordinator's
// own connection. Writes are refused in one clear line and store nothing; reads keep being served;
// once there is space (or the mount is writable) the same writes succeed.
#include <string>

#include "absl/strings/str_cat.h"
#include "coordinator/store/sqlite_db.h"
#include "gtest/gtest.h"
#include "tests/testing/leased_job_test_base.h"

namespace foldstack::testing {
namespace {

using grpc::StatusCode;

class FullDatabaseTest : public LeasedJobTestBase {
 protected:
  // 400 held-out rows: more than the room left in any page, as a real fold's report is.
  FullDatabaseTest() : LeasedJobTestBase(/*samples=*/800) {}

  void SetPragma(const char* name, int64_t value) {
    auto txn = coordinator::Transaction::Begin(coordinator_.db(), coordinator::Transaction::Mode::kDeferred);
    ASSERT_TRUE(txn.ok()) << txn.status();
    ASSERT_TRUE((*txn)->SetPragmaInt(name, value).ok());
  }
  int64_t PageCount() {
    auto txn = coordinator::Transaction::Begin(coordinator_.db(), coordinator::Transaction::Mode::kDeferred);
    EXPECT_TRUE(txn.ok()) << txn.status();
    return *(*txn)->PragmaInt("page_count");
  }
  // The reads an analyst and a worker make; each must still answer.
  void ExpectReadsServed() {
    v1::ListSweepsResponse sweeps;
    EXPECT_TRUE(stub().ListSweeps(Context().get(), v1::ListSweepsRequest(), &sweeps).ok());
    EXPECT_EQ(sweeps.sweeps_size(), 1);
    v1::ShowSweepRequest show;
    show.set_sweep_id(toy_.sweep_id);
    v1::ShowSweepResponse shown;
    EXPECT_TRUE(stub().ShowSweep(Context().get(), show, &shown).ok());
    v1::GetSplitRequest split_request;
    split_request.set_split_id(job_.split_id());
    v1::GetSplitResponse split;
    EXPECT_TRUE(stub().GetSplit(Context().get(), split_request, &split).ok());
    EXPECT_EQ(split.samples_size(), static_cast<int>(held_out_.size() + training_.size()));
  }
};

TEST_F(FullDatabaseTest, WritesAreRefusedWholeReadsServedAndWritesResumeWithSpace) {
  SetPragma("max_page_count", PageCount());  // the disk is full: not one more page
  // Metric rows fill what room the pages had left, until the database refuses one.
  grpc::Status refused;
  int epoch = 1;
  for (; epoch <= 20000 && refused.ok(); ++epoch) {
    refused = Metrics(job_.lease_id(), job_.job_id(), {Metric(epoch, "val_macro_f1", 0.5)});
  }
  ExpectRefused(refused, StatusCode::RESOURCE_EXHAUSTED,
                "the results database cannot grow: free disk space; nothing of this write was stored");
  const int64_t metrics = Count("metrics");
  EXPECT_EQ(metrics, epoch - 2) << "every accepted report stored, the refused one not";

  ExpectRefused(HeldOutPredictions(), StatusCode::RESOURCE_EXHAUSTED, "database or disk is full");
  EXPECT_EQ(Count("predictions"), 0);
  EXPECT_TRUE(JobRunning());
  ExpectReadsServed();

  SetPragma("max_page_count", 1 << 30);  // space again: the same calls go through
  EXPECT_TRUE(HeldOutPredictions().ok());
  EXPECT_EQ(Count("predictions"), static_cast<int64_t>(held_out_.size()));
  EXPECT_TRUE(Complete(0.5).ok());
  EXPECT_FALSE(JobRunning());
  EXPECT_EQ(Count("metrics"), metrics);
}

TEST_F(FullDatabaseTest, AReadOnlyDatabaseRefusesWritesAsUnavailableUntilWritable) {
  SetPragma("query_only", 1);
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {Metric(1, "val_macro_f1", 0.5)}), StatusCode::UNAVAILABLE,
                "the results database is read-only: nothing of this write was stored, reads still work");
  ExpectRefused(HeldOutPredictions(), StatusCode::UNAVAILABLE, "read-only");
  EXPECT_EQ(Count("metrics"), 0);
  EXPECT_EQ(Count("predictions"), 0);
  ExpectReadsServed();

  SetPragma("query_only", 0);
  EXPECT_TRUE(Metrics(job_.lease_id(), job_.job_id(), {Metric(1, "val_macro_f1", 0.5)}).ok());
  EXPECT_TRUE(HeldOutPredictions().ok());
  EXPECT_TRUE(Complete(0.5).ok());
  EXPECT_FALSE(JobRunning());
}

}  // namespace
}  // namespace foldstack::testing
