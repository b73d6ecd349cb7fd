#include "worker/trainer/models/layers/fast_linear.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

// FastLinear must be F::linear in value and in gradient (it replaces it in training).
TEST(FastLinearTest, MatchesLinearValuesAndGradients) {
  torch::manual_seed(0);
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{2, 5, 24}, std::vector<int64_t>{7, 24}}) {
    torch::Tensor x = torch::randn(shape, torch::requires_grad());
    torch::Tensor weight = torch::randn({40, 24}, torch::requires_grad());
    torch::Tensor bias = torch::randn({40}, torch::requires_grad());

    torch::Tensor want = torch::linear(x, weight, bias);
    torch::Tensor grad_out = torch::randn_like(want);
    auto want_grads = torch::autograd::grad({want}, {x, weight, bias}, {grad_out});
    torch::Tensor got = FastLinear(x, weight, bias);
    auto got_grads = torch::autograd::grad({got}, {x, weight, bias}, {grad_out});

    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-5));
    for (size_t i = 0; i < want_grads.size(); ++i) {
      EXPECT_TRUE(torch::allclose(got_grads[i], want_grads[i], 1e-4, 1e-4)) << "gradient " << i;
    }
  }
}

TEST(FastLinearTest, AcceptsNonContiguousInput) {
  torch::Tensor x = torch::randn({24, 6}).t();  // [6, 24], transposed view
  torch::Tensor weight = torch::randn({8, 24});
  torch::Tensor bias = torch::randn({8});
  EXPECT_TRUE(torch::allclose(FastLinear(x, weight, bias), torch::linear(x, weight, bias), 1e-4, 1e-5));
}

}  // namespace
}  // namespace foldstack::trainer
