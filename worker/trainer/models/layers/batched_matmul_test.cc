#include "worker/trainer/models/layers/batched_matmul.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

// Forward and both gradients of sum((a @ b) * probe) through BatchedMatmul and at::matmul,
// with a and b taken as views (`view_a`, `view_b`) of leaf tensors.
template <typename ViewA, typename ViewB>
void ExpectSameAsMatmul(const torch::Tensor& leaf_a, const torch::Tensor& leaf_b, ViewA view_a, ViewB view_b) {
  torch::Tensor outputs[2], grads_a[2], grads_b[2];
  for (int side = 0; side < 2; ++side) {
    torch::Tensor a = leaf_a.detach().clone().requires_grad_(true);
    torch::Tensor b = leaf_b.detach().clone().requires_grad_(true);
    const torch::Tensor out = side == 0 ? BatchedMatmul(view_a(a), view_b(b)) : at::matmul(view_a(a), view_b(b));
    torch::manual_seed(11);
    (out * torch::randn_like(out)).sum().backward();
    outputs[side] = out.detach();
    grads_a[side] = a.grad();
    grads_b[side] = b.grad();
  }
  ASSERT_EQ(outputs[0].sizes(), outputs[1].sizes());
  EXPECT_TRUE(torch::allclose(outputs[0], outputs[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grads_a[0], grads_a[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grads_b[0], grads_b[1], 1e-5, 1e-5));
}

TEST(BatchedMatmulTest, ContiguousBatches) {
  torch::manual_seed(0);
  const auto same = [](const torch::Tensor& t) { return t; };
  ExpectSameAsMatmul(torch::randn({5, 7, 4}), torch::randn({5, 4, 6}), same, same);
}

TEST(BatchedMatmulTest, AttentionViewsOfOneQkvBuffer) {
  // qkv [B, N, 3, heads, d] as a linear layer leaves it; q and k^T are strided views.
  torch::manual_seed(1);
  const torch::Tensor qkv = torch::randn({2, 9, 3, 3, 4});
  const auto q = [](const torch::Tensor& t) { return t.permute({2, 0, 3, 1, 4}).unbind(0)[0]; };
  const auto k_t = [](const torch::Tensor& t) { return t.permute({2, 0, 3, 1, 4}).unbind(0)[1].transpose(-2, -1); };
  ExpectSameAsMatmul(qkv, qkv.clone(), q, k_t);
}

TEST(BatchedMatmulTest, OperandsWithoutAUnitStrideAreCopied) {
  torch::manual_seed(2);
  const auto every_other = [](const torch::Tensor& t) { return t.slice(-1, 0, c10::nullopt, 2); };
  const auto same = [](const torch::Tensor& t) { return t; };
  ExpectSameAsMatmul(torch::randn({3, 5, 8}), torch::randn({3, 4, 2}), every_other, same);
}

TEST(BatchedMatmulTest, FloatCpuUsesSgemmAndOtherTypesFallBack) {
  const torch::Tensor a = torch::randn({2, 3, 4}, torch::requires_grad());
  const torch::Tensor out = BatchedMatmul(a, torch::randn({2, 4, 5}));
  ASSERT_NE(out.grad_fn(), nullptr);
  EXPECT_NE(out.grad_fn()->name().find("BatchedMatmulFunction"), std::string::npos) << out.grad_fn()->name();

  const torch::Tensor a64 = torch::randn({2, 3, 4}, torch::kDouble);
  const torch::Tensor b64 = torch::randn({2, 4, 5}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(BatchedMatmul(a64, b64), at::matmul(a64, b64)));
}

}  // namespace
}  // namespace foldstack::trainer
