#include "worker/trainer/models/layers/drop_path.h"

#include <ATen/ATen.h>

namespace foldstack::trainer {

at::Tensor DropPath(const at::Tensor& x, double rate, bool training) {
  if (rate <= 0.0 || !training) return x;
  const double keep = 1.0 - rate;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  at::Tensor mask = at::empty(shape, x.options()).bernoulli_(keep).div_(keep);
  return x * mask;
}

std::vector<double> DropPathRates(double rate, int blocks) {
  std::vector<double> rates(blocks, 0.0);
  for (int i = 0; i < blocks && blocks > 1; ++i) rates[i] = rate * i / (blocks - 1);
  return rates;
}

}  // namespace foldstack::trainer
