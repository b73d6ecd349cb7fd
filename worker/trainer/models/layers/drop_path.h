#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_DROP_PATH_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_DROP_PATH_H_

#include <ATen/core/Tensor.h>

#include <vector>

namespace foldstack::trainer {

// Stochastic depth (timm's drop_path): in training, zeroes whole samples of a residual
// branch with probability `rate` and scales survivors by 1 / (1 - rate); identity otherwise.
at::Tensor DropPath(const at::Tensor& x, double rate, bool training);

// timm's per-block rates: linspace(0, rate, blocks).
std::vector<double> DropPathRates(double rate, int blocks);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_DROP_PATH_H_
