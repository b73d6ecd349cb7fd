#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_RELATIVE_POSITION_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_RELATIVE_POSITION_H_

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace foldstack::trainer {

// timm's pair-wise relative position index inside a height x width window (Swin's
// get_relative_position_index, the patch part of BEiT's gen_relative_position_index):
// for tokens i, j in row-major order, (dy + height - 1) * (2 * width - 1) + (dx + width - 1)
// with (dy, dx) = position(i) - position(j). Shape [h*w, h*w], int64, values in
// [0, (2h - 1)(2w - 1)).
at::Tensor RelativePositionIndex(int64_t height, int64_t width);

// The learned bias for every token pair: table [distances, heads] gathered by `index`
// [n, n] -> [heads, n, n] (a permuted view of the gather, ready to broadcast over scores).
at::Tensor RelativePositionBias(const at::Tensor& table, const at::Tensor& index);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_RELATIVE_POSITION_H_
