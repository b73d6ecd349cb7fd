#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/linear.h>

namespace foldstack::trainer {

// `linear`'s y = x W^T + b over the last dimension of x, same values, parameters and
// state dict as linear->forward(x), but faster on the trainer's two hot paths:
// - float32 on CPU: the three matrix products (forward, input and weight gradients)
//   run through oneDNN's sgemm, 1.1-1.7x OpenBLAS's on the ViT/Swin/BEiT token shapes
//   on AVX-512 machines (LibTorch's addmm calls the system BLAS, usually OpenBLAS);
// - elsewhere (CUDA, half precision): at::linear, one fused addmm as Python's nn.Linear,
//   where LibTorch 1.13's F::linear runs a matmul plus a separate bias add for 3-D input.
at::Tensor ApplyLinear(const torch::nn::Linear& linear, const at::Tensor& x);

// The float32 CPU path on its own, for tests and benchmarks: x [..., K], weight [N, K],
// bias [N] or undefined. Differentiable in all three.
at::Tensor SgemmLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_
