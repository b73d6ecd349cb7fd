// What the timm parity test can't see: SAME padding at odd sizes, the weight
// standardization formula on its own, and timm's "silent residual branch" init.
#include "worker/trainer/models/nfnet_blocks.h"

#include <ATen/ATen.h>

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(MakeDivisibleTest, RoundsToNearestMultipleButNeverLosesMoreThanTenPercent) {
  EXPECT_EQ(MakeDivisible(64.0, 8), 64);
  EXPECT_EQ(MakeDivisible(68.0, 8), 72);
  EXPECT_EQ(MakeDivisible(10.0, 8), 16);  // 8 would lose 20%
  EXPECT_EQ(MakeDivisible(10.0, 8, /*round_limit=*/0.0), 8);
  EXPECT_EQ(MakeDivisible(3.0, 8), 8);
}

ScaledStdConvOptions Conv(int in, int out, int kernel, int stride, bool same) {
  ScaledStdConvOptions options;
  options.in_channels = in;
  options.out_channels = out;
  options.kernel = kernel;
  options.stride = stride;
  options.gamma = 1.7;
  options.same_padding = same;
  return options;
}

// timm's formula, spelled out: (w - mean) / sqrt(var + eps) * gain * gamma / sqrt(fan_in).
torch::Tensor StandardizedWeight(ScaledStdConv2d& conv, double gamma) {
  const int64_t out = conv->weight.size(0);
  const torch::Tensor w = conv->weight.reshape({out, -1});
  const torch::Tensor mean = w.mean(1, /*keepdim=*/true);
  const torch::Tensor var = w.var(1, /*unbiased=*/false, /*keepdim=*/true);
  const torch::Tensor scale =
      conv->gain.reshape({out, 1}) * gamma / std::sqrt(static_cast<double>(w.size(1)));
  return ((w - mean) / (var + 1e-5).sqrt() * scale).reshape_as(conv->weight);
}

void Randomize(ScaledStdConv2d& conv) {
  conv->weight.normal_(0.3, 2.0);
  conv->bias.normal_();
  conv->gain.uniform_(0.5, 1.5);
}

TEST(ScaledStdConv2dTest, ConvolvesWithStandardizedGainScaledWeight) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  ScaledStdConv2d conv(Conv(4, 6, 3, 1, false));
  Randomize(conv);
  const torch::Tensor x = torch::randn({2, 4, 9, 7});
  const torch::Tensor expected = at::conv2d(x, StandardizedWeight(conv, 1.7), conv->bias, 1, /*padding=*/1);
  EXPECT_TRUE(torch::allclose(conv->forward(x), expected, 1e-4, 1e-5));
}

TEST(ScaledStdConv2dTest, SamePaddingAtStrideTwoPadsTheFarSideOfOddTotals) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  ScaledStdConv2d conv(Conv(3, 5, 3, 2, /*same=*/true));
  Randomize(conv);
  const torch::Tensor x = torch::randn({1, 3, 7, 8});
  const torch::Tensor y = conv->forward(x);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, 5, 4, 4}));  // ceil(7 / 2), ceil(8 / 2)
  // Height 7 needs 2 rows (1 top, 1 bottom); width 8 needs 1 column (0 left, 1 right).
  const torch::Tensor padded = at::constant_pad_nd(x, {0, 1, 1, 1}, 0);
  const torch::Tensor expected = at::conv2d(padded, StandardizedWeight(conv, 1.7), conv->bias, 2);
  EXPECT_TRUE(torch::allclose(y, expected, 1e-4, 1e-5));
}

TEST(EfficientChannelAttnTest, KernelGrowsWithLogOfChannels) {
  EXPECT_EQ(EfficientChannelAttn(64)->named_parameters()["conv.weight"].size(2), 3);
  EXPECT_EQ(EfficientChannelAttn(256)->named_parameters()["conv.weight"].size(2), 5);
  EXPECT_EQ(EfficientChannelAttn(1536)->named_parameters()["conv.weight"].size(2), 5);
}

NormFreeBlockOptions Block(int in, int out, int stride, bool skipinit) {
  NormFreeBlockOptions options;
  options.in_channels = in;
  options.out_channels = out;
  options.stride = stride;
  options.group_size = 8;
  options.skipinit = skipinit;
  options.attention = NfAttention::kSqueezeExcite;
  options.conv.gamma = NfActivation::GammaFor(options.act.kind);
  return options;
}

// timm zero-inits conv3's gain (or, with skipinit, the skipinit_gain), so a fresh block
// passes its input (or its downsampled pre-activation) through unchanged.
TEST(NormFreeBlockTest, FreshBlockIsTheIdentityOnItsShortcut) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({2, 32, 8, 8});
  for (bool skipinit : {false, true}) {
    NormFreeBlock block(Block(32, 32, 1, skipinit));
    block->eval();
    EXPECT_TRUE(torch::equal(block->forward(x), x)) << "skipinit " << skipinit;
  }
  NormFreeBlock strided(Block(32, 64, 2, false));
  EXPECT_EQ(strided->forward(x).sizes().vec(), (std::vector<int64_t>{2, 64, 4, 4}));
}

}  // namespace
}  // namespace foldstack::trainer
