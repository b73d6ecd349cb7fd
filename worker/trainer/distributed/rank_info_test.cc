#include "worker/trainer/distributed/rank_info.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace foldstack::trainer::distributed {
namespace {

class RankInfoFromEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* name : {kRankEnv, kWorldSizeEnv, kMasterAddrEnv, kMasterPortEnv}) unsetenv(name);
  }
};

TEST_F(RankInfoFromEnvironmentTest, AbsentMeansRankZeroOfOne) {
  absl::StatusOr<RankInfo> info = RankInfoFromEnvironment();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->rank, 0);
  EXPECT_EQ(info->world_size, 1);
  EXPECT_EQ(info->master_addr, "127.0.0.1");
}

TEST_F(RankInfoFromEnvironmentTest, ReadsAllFour) {
  setenv(kRankEnv, "2", 1);
  setenv(kWorldSizeEnv, "4", 1);
  setenv(kMasterAddrEnv, "10.0.0.5", 1);
  setenv(kMasterPortEnv, "29501", 1);
  absl::StatusOr<RankInfo> info = RankInfoFromEnvironment();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->rank, 2);
  EXPECT_EQ(info->world_size, 4);
  EXPECT_EQ(info->master_addr, "10.0.0.5");
  EXPECT_EQ(info->master_port, 29501);
}

TEST_F(RankInfoFromEnvironmentTest, RankOutsideTheWorldIsAnError) {
  setenv(kRankEnv, "2", 1);
  setenv(kWorldSizeEnv, "2", 1);
  setenv(kMasterPortEnv, "29501", 1);
  absl::StatusOr<RankInfo> info = RankInfoFromEnvironment();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            "FOLDSTACK_RANK: expected an integer in [0, FOLDSTACK_WORLD_SIZE=2), got \"2\"");
}

TEST_F(RankInfoFromEnvironmentTest, AWorldNeedsAPort) {
  setenv(kRankEnv, "1", 1);
  setenv(kWorldSizeEnv, "2", 1);
  absl::StatusOr<RankInfo> info = RankInfoFromEnvironment();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(), "FOLDSTACK_MASTER_PORT: missing; expected an integer in [1, 65535]");
}

TEST_F(RankInfoFromEnvironmentTest, GarbageWorldSizeIsNamed) {
  setenv(kWorldSizeEnv, "two", 1);
  absl::StatusOr<RankInfo> info = RankInfoFromEnvironment();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(), "FOLDSTACK_WORLD_SIZE: expected an integer in [1, 64], got \"two\"");
}

TEST(ShardRangeTest, ShardsCoverTheBatchInRankOrderAndDifferByAtMostOne) {
  for (int64_t n : {0, 1, 7, 32, 33}) {
    for (int world : {1, 2, 3, 8}) {
      int64_t next = 0;
      for (int rank = 0; rank < world; ++rank) {
        auto [begin, end] = ShardRange(n, rank, world);
        EXPECT_EQ(begin, next) << n << " " << world << " " << rank;
        const int64_t size = end - begin;
        EXPECT_TRUE(size == n / world || size == n / world + 1) << n << " " << world << " " << rank;
        next = end;
      }
      EXPECT_EQ(next, n);
    }
  }
  EXPECT_EQ(ShardRange(7, 1, 2), std::make_pair(int64_t{3}, int64_t{7}));
}

}  // namespace
}  // namespace foldstack::trainer::distributed
