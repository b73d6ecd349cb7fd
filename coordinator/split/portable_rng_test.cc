#include "coordinator/split/portable_rng.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::split {
namespace {

TEST(SplitMix64Test, MatchesReferenceSequence) {
  // First outputs of the reference splitmix64.c for seed 0; pins portability.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(rng.Next(), 0x06c45d188009454fULL);
}

TEST(SplitMix64Test, BelowStaysInRangeAndCoversIt) {
  SplitMix64 rng(7);
  std::vector<int> seen(5, 0);
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = rng.Below(5);
    ASSERT_LT(x, 5u);
    ++seen[x];
  }
  for (int count : seen) EXPECT_GT(count, 150);  // ~200 each
}

TEST(PortableShuffleTest, IsAPermutationAndDependsOnSeed) {
  std::vector<int> base(50);
  for (int i = 0; i < 50; ++i) base[i] = i;
  std::vector<int> a = base, b = base, c = base;
  SplitMix64 r1(1), r2(1), r3(2);
  PortableShuffle(a, r1);
  PortableShuffle(b, r2);
  PortableShuffle(c, r3);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, base);
  std::sort(a.begin(), a.end());
  EXPECT_EQ(a, base);
}

}  // namespace
}  // namespace foldstack::split
