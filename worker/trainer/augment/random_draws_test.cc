#include "worker/trainer/augment/random_draws.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::augment {
namespace {

TEST(UniformTest, StaysInRangeAndCoversIt) {
  std::mt19937_64 rng(1);
  double lo = 1, hi = 0;
  for (int i = 0; i < 10000; ++i) {
    const double x = Uniform(rng, -2, 3);
    ASSERT_GE(x, -2);
    ASSERT_LT(x, 3);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_LT(lo, -1.99);
  EXPECT_GT(hi, 2.99);
  EXPECT_EQ(Uniform(rng, 4, 4), 4);
}

TEST(UniformIntTest, HitsBothEnds) {
  std::mt19937_64 rng(2);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    const int k = UniformInt(rng, 5, 7);
    ASSERT_GE(k, 5);
    ASSERT_LE(k, 7);
    ++counts[k - 5];
  }
  for (int c : counts) EXPECT_NEAR(c, 1000, 150);
  EXPECT_EQ(UniformInt(rng, 9, 9), 9);
}

TEST(ChanceTest, ZeroNeverOneAlwaysHalfHalf) {
  std::mt19937_64 rng(3);
  int half = 0;
  for (int i = 0; i < 4000; ++i) {
    ASSERT_FALSE(Chance(rng, 0));
    ASSERT_TRUE(Chance(rng, 1));
    half += Chance(rng, 0.5);
  }
  EXPECT_NEAR(half, 2000, 200);
}

TEST(ChanceTest, SameSeedSameDraws) {
  std::mt19937_64 a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 64; ++i) {
    const double x = Uniform(a, 0, 1);
    ASSERT_EQ(x, Uniform(b, 0, 1));
    differs = differs || x != Uniform(c, 0, 1);
  }
  EXPECT_TRUE(differs);
}

TEST(SymmetricBetaTest, MeanAndVarianceMatchBeta) {
  // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
  for (double alpha : {0.4, 1.0, 2.0}) {
    std::mt19937_64 rng(4);
    const int n = 20000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      const double x = SymmetricBeta(rng, alpha);
      ASSERT_GE(x, 0);
      ASSERT_LE(x, 1);
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / n;
    const double variance = sum_sq / n - mean * mean;
    EXPECT_NEAR(mean, 0.5, 0.01) << alpha;
    EXPECT_NEAR(variance, 1 / (4 * (2 * alpha + 1)), 0.005) << alpha;
  }
}

}  // namespace
}  // namespace foldstack::augment
