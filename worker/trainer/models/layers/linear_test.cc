#include "worker/trainer/models/layers/linear.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

struct Grads {
  torch::Tensor out, x, weight, bias;
};

// Forward and the three gradients of sum(y * probe) through `linear_fn`.
template <typename LinearFn>
Grads Run(LinearFn linear_fn, const torch::Tensor& x_in, const torch::Tensor& weight_in,
          const torch::Tensor& bias_in) {
  torch::Tensor x = x_in.detach().clone().requires_grad_(true);
  torch::Tensor weight = weight_in.detach().clone().requires_grad_(true);
  torch::Tensor bias = bias_in.defined() ? bias_in.detach().clone().requires_grad_(true) : torch::Tensor();
  const torch::Tensor out = linear_fn(x, weight, bias);
  torch::manual_seed(7);
  (out * torch::randn_like(out)).sum().backward();
  return {out.detach(), x.grad(), weight.grad(), bias.defined() ? bias.grad() : torch::Tensor()};
}

void ExpectSameAsAtLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const Grads expected = Run([](auto& a, auto& w, auto& b) { return at::linear(a, w, b); }, x, weight, bias);
  const Grads actual = Run([](auto& a, auto& w, auto& b) { return SgemmLinear(a, w, b); }, x, weight, bias);
  ASSERT_EQ(actual.out.sizes(), expected.out.sizes());
  EXPECT_TRUE(torch::allclose(actual.out, expected.out, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(actual.x, expected.x, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(actual.weight, expected.weight, 1e-5, 1e-4));
  if (bias.defined()) EXPECT_TRUE(torch::allclose(actual.bias, expected.bias, 1e-5, 1e-4));
}

TEST(SgemmLinearTest, MatchesAtLinearWithGradientsOnTokens) {
  torch::manual_seed(0);
  ExpectSameAsAtLinear(torch::randn({3, 37, 24}), torch::randn({40, 24}), torch::randn({40}));
}

TEST(SgemmLinearTest, MatchesAtLinearWithoutBiasOnStridedAndVectorInputs) {
  torch::manual_seed(1);
  ExpectSameAsAtLinear(torch::randn({24, 5, 3}).permute({2, 1, 0}), torch::randn({9, 24}), torch::Tensor());
  ExpectSameAsAtLinear(torch::randn({24}), torch::randn({9, 24}), torch::randn({9}));
}

TEST(SgemmLinearTest, FloatCpuUsesTheSgemmPathAndOtherTypesFallBack) {
  torch::nn::Linear linear(8, 4);
  const torch::Tensor y = ApplyLinear(linear, torch::randn({2, 3, 8}));
  ASSERT_NE(y.grad_fn(), nullptr);
  // y is a view of the custom function's [M, N] output.
  EXPECT_NE(y.grad_fn()->next_edges()[0].function->name().find("SgemmLinearFunction"), std::string::npos)
      << y.grad_fn()->next_edges()[0].function->name();

  const torch::Tensor x64 = torch::randn({5, 8}, torch::kDouble);
  const torch::Tensor w64 = torch::randn({4, 8}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(SgemmLinear(x64, w64, torch::Tensor()), at::linear(x64, w64, {})));
}

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
