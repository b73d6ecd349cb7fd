#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SELF_ATTENTION_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SELF_ATTENTION_H_

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace foldstack::trainer {

// The core of timm's multi-head self-attention (ViT's and BEiT's Attention, Swin's
// WindowAttention), batched over sequences and heads in a few fused ops:
//   qkv [B, N, 3 * heads * head_dim] (the qkv Linear's output, laid out q | k | v)
//   -> softmax(q k^T / sqrt(head_dim) + bias) v -> [B, N, heads * head_dim] (before proj).
// `bias` is optional (undefined = none), shaped [G, heads, N, N] (or [G, 1, N, N]) with G
// dividing B: it repeats every G sequences, so G = 1 is one bias for all (BEiT's relative
// position bias) and G = windows per image gives each window its own (Swin's shift mask).
// `attn_drop` is dropout on the attention weights, applied only when training.
at::Tensor MultiHeadSelfAttention(const at::Tensor& qkv, int64_t num_heads, const at::Tensor& bias,
                                  double attn_drop, bool training);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_SELF_ATTENTION_H_
