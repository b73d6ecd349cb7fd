#include "worker/trainer/models/layers/relative_position.h"

#include <ATen/ATen.h>

namespace foldstack::trainer {

at::Tensor RelativePositionIndex(int64_t height, int64_t width) {
  const at::Tensor rows = at::arange(height, at::kLong).repeat_interleave(width);  // y of token i
  const at::Tensor cols = at::arange(width, at::kLong).repeat({height});          // x of token i
  const at::Tensor dy = rows.unsqueeze(1) - rows.unsqueeze(0) + (height - 1);
  const at::Tensor dx = cols.unsqueeze(1) - cols.unsqueeze(0) + (width - 1);
  return dy * (2 * width - 1) + dx;
}

at::Tensor RelativePositionBias(const at::Tensor& table, const at::Tensor& index) {
  const int64_t n = index.size(0);
  return table.index_select(0, index.reshape(-1)).view({n, n, table.size(1)}).permute({2, 0, 1});
}

}  // namespace foldstack::trainer
