#include "worker/trainer/models/layers/onednn_linear.h"

#include <ATen/ATen.h>
#include <ATen/Config.h>

#include <vector>

namespace foldstack::trainer {

at::Tensor OneDnnLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t in = weight.size(1);
  const int64_t rows = x.numel() / in;
  if (!AT_MKLDNN_ENABLED() || !x.device().is_cpu() || x.scalar_type() != at::kFloat || rows < 16) {
    return at::linear(x, weight, bias);
  }
  std::vector<int64_t> out_shape = x.sizes().vec();
  out_shape.back() = weight.size(0);
  const at::Tensor y = at::conv2d(x.reshape({rows, in, 1, 1}), weight.view({weight.size(0), in, 1, 1}), bias);
  return y.view(out_shape);
}

}  // namespace foldstack::trainer
