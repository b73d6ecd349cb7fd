#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/linear.h>

namespace foldstack::trainer {

// `linear`'s y = x W^T + b through at::linear, the op Python's nn.Linear calls. LibTorch
// 1.13's torch::nn::Linear::forward (F::linear) fuses the bias only for 2-D input; for token
// tensors [B, N, C] it runs a matmul plus a separate bias add (and both backwards), while
// at::linear folds B and N and does one addmm. Same values, same parameters and state dict.
at::Tensor ApplyLinear(const torch::nn::Linear& linear, const at::Tensor& x);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_LINEAR_H_
