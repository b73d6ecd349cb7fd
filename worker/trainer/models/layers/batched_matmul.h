#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_BATCHED_MATMUL_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_BATCHED_MATMUL_H_

#include <ATen/core/Tensor.h>

namespace foldstack::trainer {

// a [..., M, K] @ b [..., K, N] with equal batch shapes, as at::matmul, differentiable.
// For float32 CPU tensors each product runs as one single-threaded oneDNN sgemm, the
// matrices spread over the intra-op threads, and strided operands (attention's q, k, v
// are views into one qkv buffer) are read in place: at::matmul copies every such operand
// to fold its batch dimensions, then lets each small product spin up the BLAS threads.
// Other devices and types go to at::matmul.
at::Tensor BatchedMatmul(const at::Tensor& a, const at::Tensor& b);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_BATCHED_MATMUL_H_
