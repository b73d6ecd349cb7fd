#include "coordinator/http/session_store.h"

#include "gtest/gtest.h"

namespace foldstack::http {
namespace {

TEST(SessionStoreTest, SessionsHaveRandomIdsAndExpireAfterTwelveHours) {
  coordinator::ManualClock clock;
  SessionStore sessions(clock);
  const Session a = sessions.Create({"ana", auth::Scope::kLead}, "d1");
  const Session b = sessions.Create({"ci", auth::Scope::kReader}, "d2");
  EXPECT_EQ(a.id.size(), 64u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf, a.id);
  ASSERT_TRUE(sessions.Find(a.id).has_value());
  EXPECT_EQ(sessions.Find(b.id)->identity.name, "ci");
  EXPECT_FALSE(sessions.Find("not-a-session").has_value());
  clock.AdvanceMs(SessionStore::kLifetimeMs - 1);
  EXPECT_TRUE(sessions.Find(a.id).has_value());
  clock.AdvanceMs(1);
  EXPECT_FALSE(sessions.Find(a.id).has_value());
  // Creating a session drops the expired ones.
  sessions.Create({"ana", auth::Scope::kLead}, "d1");
  EXPECT_EQ(sessions.size(), 1u);
}

TEST(SessionStoreTest, EraseLogsOut) {
  coordinator::ManualClock clock;
  SessionStore sessions(clock);
  const Session a = sessions.Create({"ana", auth::Scope::kLead}, "d1");
  sessions.Erase(a.id);
  EXPECT_FALSE(sessions.Find(a.id).has_value());
}

TEST(SessionStoreTest, SecretsEqualComparesWholeStrings) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "ab"));
  EXPECT_FALSE(SecretsEqual("", "a"));
}

}  // namespace
}  // namespace foldstack::http
