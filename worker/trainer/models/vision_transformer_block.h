#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_BLOCK_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_BLOCK_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "worker/trainer/models/layers/mlp.h"

namespace foldstack::trainer {

// timm's layers.Attention with its ViT defaults (qkv_bias, no q/k norm, no dropout):
// one fused qkv Linear, MultiHeadSelfAttention (softmax(q k^T / sqrt(head_dim)) v over
// all heads at once), then the proj Linear. Keys: qkv.{weight,bias}, proj.{weight,bias}.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int dim, int num_heads);
  // tokens [B, N, dim] -> [B, N, dim]
  torch::Tensor forward(const torch::Tensor& tokens);

 private:
  int num_heads_;
  torch::nn::Linear qkv_{nullptr};
  torch::nn::Linear proj_{nullptr};
};
TORCH_MODULE(SelfAttention);

// timm's vision_transformer.Block (pre-norm, no LayerScale):
//   x += drop_path(attn(norm1(x))); x += drop_path(mlp(norm2(x))).
// Keys in timm's order: norm1, attn, norm2, mlp. LayerNorm eps is timm's 1e-6.
class VitBlockImpl : public torch::nn::Module {
 public:
  VitBlockImpl(int dim, int num_heads, double mlp_ratio, double drop_path_rate);
  torch::Tensor forward(torch::Tensor tokens);

 private:
  torch::nn::LayerNorm norm1_{nullptr};
  SelfAttention attn_{nullptr};
  torch::nn::LayerNorm norm2_{nullptr};
  Mlp mlp_{nullptr};
  double drop_path_rate_;
};
TORCH_MODULE(VitBlock);

// timm's default ViT norm: LayerNorm over the last dimension with eps 1e-6.
torch::nn::LayerNorm VitLayerNorm(int dim);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_BLOCK_H_
