#include "worker/trainer/models/layers/trunc_normal.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

// ViT's case: bounds far outside the spread, so the samples are a plain N(0, 0.02^2).
TEST(TruncNormalTest, WideBoundsGiveTheRequestedStd) {
  torch::manual_seed(0);
  torch::Tensor t = torch::empty({200000});
  TruncNormal(t, 0.02);
  EXPECT_NEAR(t.mean().item<double>(), 0.0, 1e-3);
  EXPECT_NEAR(t.std().item<double>(), 0.02, 5e-4);
}

// Bounds at +-1 std: every sample inside, and the std of N(0,1) cut at +-1 (0.5396).
TEST(TruncNormalTest, TightBoundsTruncate) {
  torch::manual_seed(0);
  torch::Tensor t = torch::empty({200000});
  TruncNormal(t, 1.0, -1.0, 1.0);
  EXPECT_GE(t.min().item<double>(), -1.0);
  EXPECT_LE(t.max().item<double>(), 1.0);
  EXPECT_NEAR(t.std().item<double>(), 0.5396, 5e-3);
}

}  // namespace
}  // namespace foldstack::trainer
