#include "coordinator/auth/failure_limiter.h"

#include <gtest/gtest.h>

namespace foldstack::auth {
namespace {

TEST(FailureLimiter, BlocksAfterMaxFailuresWithinTheWindowThenForgets) {
  coordinator::ManualClock clock;
  FailureLimiter limiter(clock, {3, 60'000});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("10.0.0.7")) << i;
    limiter.RecordFailure("10.0.0.7");
    clock.AdvanceMs(1000);
  }
  EXPECT_TRUE(limiter.Blocked("10.0.0.7"));
  EXPECT_FALSE(limiter.Blocked("10.0.0.8"));  // per host
  // The first failure (at t=0) leaves the window at t=60 s: one slot free again.
  clock.AdvanceMs(60'000 - 3000);
  EXPECT_FALSE(limiter.Blocked("10.0.0.7"));
  limiter.RecordFailure("10.0.0.7");
  EXPECT_TRUE(limiter.Blocked("10.0.0.7"));
}

TEST(FailureLimiter, SpreadOutFailuresNeverBlock) {
  coordinator::ManualClock clock;
  FailureLimiter limiter(clock, {3, 60'000});
  for (int i = 0; i < 20; ++i) {
    limiter.RecordFailure("h");
    clock.AdvanceMs(30'001);
    EXPECT_FALSE(limiter.Blocked("h")) << i;
  }
}

TEST(PeerHost, DropsSchemeAndPort) {
  EXPECT_EQ(PeerHost("ipv4:10.0.0.7:51234"), "10.0.0.7");
  EXPECT_EQ(PeerHost("ipv6:[::1]:4000"), "[::1]");
  EXPECT_EQ(PeerHost("unix:/tmp/sock"), "unix:/tmp/sock");
}

}  // namespace
}  // namespace foldstack::auth
