#include "worker/trainer/models/layers/self_attention.h"

#include <ATen/ATen.h>

#include <cmath>

#include "gtest/gtest.h"
#include "worker/trainer/models/layers/relative_position.h"

namespace foldstack::trainer {
namespace {

// One sequence and one head at a time, straight from the definition.
at::Tensor NaiveAttention(const at::Tensor& qkv, int64_t heads, const at::Tensor& bias) {
  const int64_t batch = qkv.size(0), dim = qkv.size(2) / 3, head_dim = dim / heads;
  at::Tensor out = at::zeros({batch, qkv.size(1), dim});
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t h = 0; h < heads; ++h) {
      const at::Tensor q = qkv[b].slice(1, h * head_dim, (h + 1) * head_dim);
      const at::Tensor k = qkv[b].slice(1, dim + h * head_dim, dim + (h + 1) * head_dim);
      const at::Tensor v = qkv[b].slice(1, 2 * dim + h * head_dim, 2 * dim + (h + 1) * head_dim);
      at::Tensor scores = q.matmul(k.t()) / std::sqrt(static_cast<double>(head_dim));
      if (bias.defined()) scores = scores + bias[b % bias.size(0)][h];
      out[b].slice(1, h * head_dim, (h + 1) * head_dim).copy_(scores.softmax(-1).matmul(v));
    }
  }
  return out;
}

TEST(MultiHeadSelfAttentionTest, MatchesPerHeadDefinitionWithoutBias) {
  at::manual_seed(0);
  const at::Tensor qkv = at::randn({3, 5, 3 * 8});
  EXPECT_TRUE(at::allclose(MultiHeadSelfAttention(qkv, 2, at::Tensor(), 0.0, false),
                           NaiveAttention(qkv, 2, at::Tensor()), 1e-5, 1e-6));
}

TEST(MultiHeadSelfAttentionTest, GroupedBiasRepeatsEveryGroupOfSequences) {
  at::manual_seed(1);
  const at::Tensor qkv = at::randn({4, 6, 3 * 12});
  const at::Tensor bias = at::randn({2, 3, 6, 6});  // e.g. 2 windows per image, 3 heads
  EXPECT_TRUE(at::allclose(MultiHeadSelfAttention(qkv, 3, bias, 0.0, false), NaiveAttention(qkv, 3, bias), 1e-5,
                           1e-6));
}

TEST(MultiHeadSelfAttentionTest, AttentionDropoutOnlyWhenTraining) {
  at::manual_seed(2);
  const at::Tensor qkv = at::randn({2, 7, 3 * 4});
  const at::Tensor eval = MultiHeadSelfAttention(qkv, 1, at::Tensor(), 0.5, false);
  EXPECT_TRUE(at::allclose(eval, NaiveAttention(qkv, 1, at::Tensor()), 1e-5, 1e-6));
  EXPECT_FALSE(at::allclose(MultiHeadSelfAttention(qkv, 1, at::Tensor(), 0.5, true), eval));
}

TEST(RelativePositionTest, IndexEncodesRowAndColumnOffsets) {
  // 2 x 3 window: offsets dy in [-1, 1], dx in [-2, 2], index (dy + 1) * 5 + (dx + 2).
  const at::Tensor index = RelativePositionIndex(2, 3);
  ASSERT_EQ(index.sizes(), (std::vector<int64_t>{6, 6}));
  EXPECT_EQ(index[0][0].item<int64_t>(), 7);  // no offset: the table's centre
  EXPECT_EQ(index[5][0].item<int64_t>(), 14);  // (1, 2) - (0, 0): dy = 1, dx = 2
  EXPECT_EQ(index[0][5].item<int64_t>(), 0);   // dy = -1, dx = -2
  EXPECT_EQ(index[1][3].item<int64_t>(), (-1 + 1) * 5 + (1 + 2));  // (0, 1) - (1, 0): dy = -1, dx = 1
  EXPECT_TRUE(at::equal(index + index.t(), at::full({6, 6}, 14, at::kLong)));
}

TEST(RelativePositionTest, BiasGathersTableRowsPerHead) {
  const at::Tensor table = at::arange(30, at::kFloat).view({15, 2});  // 15 distances, 2 heads
  const at::Tensor bias = RelativePositionBias(table, RelativePositionIndex(2, 3));
  ASSERT_EQ(bias.sizes(), (std::vector<int64_t>{2, 6, 6}));
  EXPECT_EQ(bias[1][5][0].item<float>(), table[14][1].item<float>());
  EXPECT_EQ(bias[0][0][0].item<float>(), table[7][0].item<float>());
}

}  // namespace
}  // namespace foldstack::trainer
