#include "worker/trainer/models/vision_transformer_block.h"

#include <ATen/ATen.h>

#include "worker/trainer/models/layers/drop_path.h"
#include "worker/trainer/models/layers/linear.h"
#include "worker/trainer/models/layers/self_attention.h"

namespace foldstack::trainer {

namespace nn = torch::nn;

nn::LayerNorm VitLayerNorm(int dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)); }

SelfAttentionImpl::SelfAttentionImpl(int dim, int num_heads)
    : num_heads_(num_heads),
      qkv_(register_module("qkv", nn::Linear(dim, 3 * dim))),
      proj_(register_module("proj", nn::Linear(dim, dim))) {
  TORCH_CHECK(dim % num_heads == 0, "attention: dim ", dim, " is not divisible by num_heads ", num_heads);
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& tokens) {
  return ApplyLinear(proj_, MultiHeadSelfAttention(ApplyLinear(qkv_, tokens), num_heads_, /*bias=*/{},
                                                   /*attn_drop=*/0.0, is_training()));
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
