#include "worker/trainer/models/layers/linear.h"

#include <ATen/ATen.h>

namespace foldstack::trainer {

at::Tensor ApplyLinear(const torch::nn::Linear& linear, const at::Tensor& x) {
  return at::linear(x, linear->weight, linear->bias);
}

}  // namespace foldstack::trainer
