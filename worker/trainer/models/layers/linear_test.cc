#include "worker/trainer/models/layers/linear.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(ApplyLinearTest, MatchesTheModuleForwardOnTokensWithGradients) {
  torch::manual_seed(0);
  torch::nn::Linear linear(6, 5);
  const torch::Tensor x = torch::randn({3, 4, 6});
  const torch::Tensor expected = linear->forward(x);
  expected.square().sum().backward();
  const torch::Tensor weight_grad = linear->weight.grad().clone();
  const torch::Tensor bias_grad = linear->bias.grad().clone();
  linear->zero_grad();

  const torch::Tensor actual = ApplyLinear(linear, x);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-6));
  actual.square().sum().backward();
  EXPECT_TRUE(torch::allclose(linear->weight.grad(), weight_grad, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(linear->bias.grad(), bias_grad, 1e-5, 1e-5));
}

}  // namespace
}  // namespace foldstack::trainer
