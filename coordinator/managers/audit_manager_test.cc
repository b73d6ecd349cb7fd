#include "coordinator/managers/audit_manager.h"

#include "coordinator/store/migrations.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(AuditManager, RecordsWithTheClockAndListsNewestFirstWithinTheLimit) {
  auto db = OpenFoldstackDb(testing::FreshDbPath("audit_manager"));
  ASSERT_TRUE(db.ok()) << db.status();
  ManualClock clock(5000);
  AuditManager audit(**db, clock);
  ASSERT_TRUE(audit.Record("ana", AuditAction::kSubmitSweep, "3").ok());
  clock.AdvanceMs(10);
  ASSERT_TRUE(audit.Record("bo", AuditAction::kDrainWorker, "w-box-1").ok());
  v1::ListAuditRequest request;
  request.set_limit(1);
  absl::StatusOr<v1::ListAuditResponse> listed = audit.ListAudit(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);
  EXPECT_EQ(listed->entries(0).who(), "bo");
  EXPECT_EQ(listed->entries(0).action(), "drain_worker");
  EXPECT_EQ(listed->entries(0).object_id(), "w-box-1");
  EXPECT_EQ(listed->entries(0).at_unix_ms(), 5010);
  request.set_limit(0);
  EXPECT_EQ(audit.ListAudit(request)->entries_size(), 2);
  request.set_limit(-1);
  EXPECT_EQ(audit.ListAudit(request).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foldstack::coordinator
