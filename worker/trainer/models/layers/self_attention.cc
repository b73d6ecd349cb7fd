#include "worker/trainer/models/layers/self_attention.h"

#include <ATen/ATen.h>

#include <cmath>

#include "worker/trainer/models/layers/batched_matmul.h"

namespace foldstack::trainer {

at::Tensor MultiHeadSelfAttention(const at::Tensor& qkv, int64_t num_heads, const at::Tensor& bias,
                                  double attn_drop, bool training) {
  const int64_t batch = qkv.size(0);
  const int64_t tokens = qkv.size(1);
  const int64_t head_dim = qkv.size(2) / (3 * num_heads);
  // q, k, v [B, heads, N, head_dim] as views of qkv, which BatchedMatmul reads in place.
  // unbind's backward stacks the three gradients into one buffer (indexing would zero-fill
  // and add a full-size gradient per select).
  const std::vector<at::Tensor> q_k_v =
      qkv.view({batch, tokens, 3, num_heads, head_dim}).permute({2, 0, 3, 1, 4}).unbind(0);
  const at::Tensor q = q_k_v[0] * (1.0 / std::sqrt(static_cast<double>(head_dim)));
  at::Tensor attn = BatchedMatmul(q, q_k_v[1].transpose(-2, -1));  // [B, heads, N, N], contiguous
  if (bias.defined()) {
    // In place on the fresh scores (the product's backward does not need its output).
    const int64_t groups = bias.size(0);
    attn.view({batch / groups, groups, num_heads, tokens, tokens}).add_(bias);
  }
  attn = at::softmax(attn, -1);
  if (training && attn_drop > 0.0) attn = at::dropout(attn, attn_drop, /*train=*/true);
  return BatchedMatmul(attn, q_k_v[2]).transpose(1, 2).reshape({batch, tokens, num_heads * head_dim});
}

}  // namespace foldstack::trainer
