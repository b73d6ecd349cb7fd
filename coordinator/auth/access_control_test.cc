#include "coordinator/auth/access_control.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace foldstack::auth {
namespace {

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = std::string(dir ? dir : "/tmp") + "/access_tokens";
    std::ofstream(path) << "ci reader tok-ci\n";
    auto registry = TokenRegistry::Load(path);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);
  }

  coordinator::ManualClock clock_;
  FailureLimiter limiter_{clock_, {3, 60'000}};
  std::unique_ptr<TokenRegistry> registry_;
};

TEST_F(AccessControlTest, AuthenticatesThenAuthorizes) {
  AccessControl access(registry_.get(), &limiter_);
  absl::StatusOr<Identity> ok = access.Check("Bearer tok-ci", "ipv4:1.2.3.4:5", "Leaderboard");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->name, "ci");
  absl::Status denied = access.Check("Bearer tok-ci", "ipv4:1.2.3.4:5", "SubmitSweep").status();
  EXPECT_EQ(denied.message(), "token 'ci' (reader) may not call SubmitSweep");
  EXPECT_EQ(access.Check("Bearer nope", "ipv4:1.2.3.4:5", "Leaderboard").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AccessControlTest, LocksOutAPeerAfterRepeatedFailuresEvenWithAGoodToken) {
  AccessControl access(registry_.get(), &limiter_);
  for (int i = 0; i < 3; ++i) {
    // Different ports of one host count together; permission denials do not count.
    EXPECT_EQ(access.Check("Bearer guess", "ipv4:6.6.6.6:" + std::to_string(4000 + i), "Leaderboard").status().code(),
              absl::StatusCode::kUnauthenticated);
    EXPECT_FALSE(access.Check("Bearer tok-ci", "ipv4:1.1.1.1:9", "SubmitSweep").ok());
  }
  absl::Status locked = access.Check("Bearer tok-ci", "ipv4:6.6.6.6:4100", "Leaderboard").status();
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(locked.message().find("6.6.6.6"), std::string::npos);
  EXPECT_TRUE(access.Check("Bearer tok-ci", "ipv4:1.1.1.1:9", "Leaderboard").ok());
  clock_.AdvanceMs(60'000);
  EXPECT_TRUE(access.Check("Bearer tok-ci", "ipv4:6.6.6.6:4100", "Leaderboard").ok());
}

}  // namespace
}  // namespace foldstack::auth
