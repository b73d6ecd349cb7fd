#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_TRUNC_NORMAL_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_TRUNC_NORMAL_H_

#include <ATen/core/Tensor.h>

namespace foldstack::trainer {

// timm's trunc_normal_ (layers/weight_init.py), in place and without autograd: a normal
// N(0, std^2) truncated to the absolute bounds [lower, upper] by inverse-CDF sampling.
// ViT-style models initialize Linear weights and position embeddings with std 0.02.
void TruncNormal(at::Tensor& tensor, double std, double lower = -2.0, double upper = 2.0);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_TRUNC_NORMAL_H_
