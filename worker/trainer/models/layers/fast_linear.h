#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_FAST_LINEAR_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_FAST_LINEAR_H_

#include <ATen/core/Tensor.h>

namespace foldstack::trainer {

// y = x W^T + b over the last dimension of x (F::linear's contract, autograd included).
// On CPU float32 it runs as a 1x1 convolution over a channels-last view of x, which
// LibTorch hands to oneDNN: with Debian's LibTorch, Linear goes to the generic
// (reference) BLAS, about 15x slower forward and 8x slower forward+backward than
// oneDNN on the token matrices of ViT-style models. Elsewhere it is at::linear.
at::Tensor FastLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_FAST_LINEAR_H_
