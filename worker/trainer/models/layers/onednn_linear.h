#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_ONEDNN_LINEAR_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_ONEDNN_LINEAR_H_

#include <ATen/core/Tensor.h>

namespace foldstack::trainer {

// F::linear(x, weight, bias) (bias may be undefined) over the last dimension of x,
// computed on CPU as a 1x1 convolution of the rows [M, in, 1, 1] so that it runs in
// oneDNN instead of the system BLAS. Why: this LibTorch is built with BLAS_INFO=generic
// and Debian resolves it to the single-threaded reference libblas, where a ViT-B linear
// layer is ~10x slower than the same product in oneDNN (0.16 s vs 1.9 s for
// [788 x 768] x [768 x 3072], 2 threads). Autograd flows as through F::linear; rounding
// differs by float32 accumulation order only. Falls back to F::linear off CPU, for
// non-float32 input, or below 16 rows (where LibTorch's own conv heuristic would pick
// its BLAS path anyway).
at::Tensor OneDnnLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_ONEDNN_LINEAR_H_
