#include "worker/trainer/models/multi_head.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(MultiHeadTest, SplitsTheEightOutputsInHeadOrder) {
  torch::Tensor logits = torch::arange(16, torch::kFloat32).view({2, 8});
  HeadLogits heads = SplitHeads(logits);
  EXPECT_TRUE(torch::equal(heads.mask[1], torch::tensor({8.f, 9.f, 10.f})));
  EXPECT_TRUE(torch::equal(heads.gender[1], torch::tensor({11.f, 12.f})));
  EXPECT_TRUE(torch::equal(heads.age[1], torch::tensor({13.f, 14.f, 15.f})));
}

TEST(MultiHeadTest, CombinedClassProbabilityIsTheProductOfTheHeads) {
  // Head probabilities chosen by hand: mask (0.7, 0.2, 0.1), gender (0.4, 0.6),
  // age (0.5, 0.3, 0.2). Logits = log p (softmax of log p is p again).
  torch::Tensor logits = torch::log(torch::tensor({{0.7f, 0.2f, 0.1f, 0.4f, 0.6f, 0.5f, 0.3f, 0.2f}}));
  torch::Tensor p = torch::exp(CombineHeads(logits));
  ASSERT_EQ(p.sizes().vec(), (std::vector<int64_t>{1, 18}));
  EXPECT_NEAR(p.sum().item<float>(), 1.0f, 1e-6);
  // class 6*mask + 3*gender + age: incorrect (1) / female (1) / 30-59 (1) = 10.
  EXPECT_NEAR(p[0][10].item<float>(), 0.2 * 0.6 * 0.3, 1e-6);
  // wear / male / <30 = 0.
  EXPECT_NEAR(p[0][0].item<float>(), 0.7 * 0.4 * 0.5, 1e-6);
  // not worn / female / >=60 = 17.
  EXPECT_NEAR(p[0][17].item<float>(), 0.1 * 0.6 * 0.2, 1e-6);
  // The most likely class is the combination of each head's most likely value.
  EXPECT_EQ(p.argmax(1).item<int64_t>(), 6 * 0 + 3 * 1 + 0);
}

TEST(MultiHeadTest, RefusesOtherWidths) {
  EXPECT_THROW(CombineHeads(torch::zeros({2, 18})), c10::Error);
}

}  // namespace
}  // namespace foldstack::trainer
