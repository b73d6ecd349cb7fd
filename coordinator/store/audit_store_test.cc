#include "coordinator/store/audit_store.h"

#include <set>

#include "coordinator/store/migrations.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(AuditStore, AppendsAndListsNewestFirst) {
  auto db = OpenFoldstackDb(testing::FreshDbPath("audit"));
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(AppendAudit(**db, {0, 100, "ana", std::string(AuditActionName(AuditAction::kSubmitSweep)), "1"}).ok());
  ASSERT_TRUE(AppendAudit(**db, {0, 200, "ci", std::string(AuditActionName(AuditAction::kCancelSweep)), "1"}).ok());
  ASSERT_TRUE(AppendAudit(**db, {0, 300, "ana", std::string(AuditActionName(AuditAction::kStopTrial)), "7"}).ok());
  absl::StatusOr<std::vector<AuditRow>> rows = LoadAudit(**db, 2);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].action, "stop_trial");
  EXPECT_EQ((*rows)[0].object_id, "7");
  EXPECT_EQ((*rows)[0].at_ms, 300);
  EXPECT_EQ((*rows)[1].who, "ci");
  EXPECT_EQ((*rows)[1].action, "cancel_sweep");
  EXPECT_EQ(testing::QueryInt(**db, "SELECT COUNT(*) FROM audit"), 3);
}

TEST(AuditStore, ActionNamesAreDistinct) {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(AuditAction::kPruneArtifacts); ++i) {
    EXPECT_TRUE(names.insert(std::string(AuditActionName(static_cast<AuditAction>(i)))).second) << i;
  }
  EXPECT_EQ(names.count("unknown"), 0u);
}

}  // namespace
}  // namespace foldstack::coordinator
