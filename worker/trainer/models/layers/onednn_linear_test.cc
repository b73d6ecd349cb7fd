#include "worker/trainer/models/layers/onednn_linear.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(OneDnnLinearTest, MatchesLinearInValueAndGradient) {
  at::manual_seed(0);
  const at::Tensor x = at::randn({2, 40, 24}).set_requires_grad(true);
  const at::Tensor weight = at::randn({12, 24}).set_requires_grad(true);
  const at::Tensor bias = at::randn({12}).set_requires_grad(true);
  const at::Tensor ours = OneDnnLinear(x, weight, bias);
  const at::Tensor want = at::linear(x, weight, bias);
  ASSERT_EQ(ours.sizes(), want.sizes());
  EXPECT_TRUE(at::allclose(ours, want, 1e-5, 1e-5));
  const at::Tensor grad = at::randn_like(want);
  const auto ours_grads = torch::autograd::grad({ours}, {x, weight, bias}, {grad});
  const auto want_grads = torch::autograd::grad({want}, {x, weight, bias}, {grad});
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(at::allclose(ours_grads[i], want_grads[i], 1e-4, 1e-4)) << i;
}

TEST(OneDnnLinearTest, WithoutBiasAndWithFewRows) {
  const at::Tensor weight = at::randn({5, 8});
  for (int64_t rows : {3, 64}) {
    const at::Tensor x = at::randn({rows, 8});
    EXPECT_TRUE(at::allclose(OneDnnLinear(x, weight, at::Tensor()), at::linear(x, weight), 1e-5, 1e-5)) << rows;
  }
}

}  // namespace
}  // namespace foldstack::trainer
