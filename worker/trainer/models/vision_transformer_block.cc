#include "worker/trainer/models/vision_transformer_block.h"

#include <ATen/ATen.h>

#include <cmath>

#include "worker/trainer/models/layers/drop_path.h"
#include "worker/trainer/models/layers/linear.h"

namespace foldstack::trainer {

namespace nn = torch::nn;

nn::LayerNorm VitLayerNorm(int dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)); }

SelfAttentionImpl::SelfAttentionImpl(int dim, int num_heads)
    : num_heads_(num_heads),
      head_dim_(dim / num_heads),
      scale_(1.0 / std::sqrt(static_cast<double>(dim / num_heads))),
      qkv_(register_module("qkv", nn::Linear(dim, 3 * dim))),
      proj_(register_module("proj", nn::Linear(dim, dim))) {
  TORCH_CHECK(dim % num_heads == 0, "attention: dim ", dim, " is not divisible by num_heads ", num_heads);
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& tokens) {
  const int64_t batch = tokens.size(0);
  const int64_t length = tokens.size(1);
  // [B, N, 3 * dim] -> q, k, v [B, heads, N, head_dim], views of one buffer. unbind, not
  // indexing: its backward stacks the three gradients into one buffer, where three
  // selects would each zero-fill and add a full-size gradient.
  const std::vector<at::Tensor> qkv =
      ApplyLinear(qkv_, tokens).view({batch, length, 3, num_heads_, head_dim_}).permute({2, 0, 3, 1, 4}).unbind(0);
  // Scaling q (N x head_dim) is cheaper than scaling the N x N scores.
  const at::Tensor scores = at::matmul(qkv[0] * scale_, qkv[1].transpose(-2, -1));
  const at::Tensor mixed = at::matmul(scores.softmax(-1), qkv[2]);  // [B, heads, N, head_dim]
  return ApplyLinear(proj_, mixed.transpose(1, 2).reshape({batch, length, num_heads_ * head_dim_}));
}

VitBlockImpl::VitBlockImpl(int dim, int num_heads, double mlp_ratio, double drop_path_rate)
    : norm1_(register_module("norm1", VitLayerNorm(dim))),
      attn_(register_module("attn", SelfAttention(dim, num_heads))),
      norm2_(register_module("norm2", VitLayerNorm(dim))),
      mlp_(register_module("mlp", Mlp(dim, static_cast<int>(dim * mlp_ratio)))),
      drop_path_rate_(drop_path_rate) {}

torch::Tensor VitBlockImpl::forward(torch::Tensor tokens) {
  const bool training = is_training();
  tokens = tokens + DropPath(attn_->forward(norm1_->forward(tokens)), drop_path_rate_, training);
  return tokens + DropPath(mlp_->forward(norm2_->forward(tokens)), drop_path_rate_, training);
}

}  // namespace foldstack::trainer
