#include "worker/trainer/models/layers/fast_linear.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <vector>

namespace foldstack::trainer {

at::Tensor FastLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || !at::hasMKLDNN() || x.numel() == 0) {
    return at::linear(x, weight, bias);
  }
  const int64_t in_features = x.size(-1);
  const int64_t out_features = weight.size(0);
  const int64_t rows = x.numel() / in_features;
  // [rows, in] row-major is the NHWC memory of an [1, in, rows, 1] image: no copy.
  const at::Tensor image = x.contiguous().as_strided({1, in_features, rows, 1},
                                                     {rows * in_features, 1, in_features, in_features});
  const at::Tensor y = at::conv2d(image, weight.view({out_features, in_features, 1, 1}), bias);
  // The channels-last result [1, out, rows, 1] is the memory of [rows, out].
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = out_features;
  return y.permute({0, 2, 3, 1}).reshape(shape);
}

}  // namespace foldstack::trainer
