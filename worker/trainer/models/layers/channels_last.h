#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_CHANNELS_LAST_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_CHANNELS_LAST_H_

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

namespace foldstack::trainer {

// Convolutional trunks run in channels-last (NHWC) memory, as PyTorch's
// model.to(memory_format=torch.channels_last) + input.to(memory_format=...) do: oneDNN then
// computes convolutions (above all the depthwise ones and their backward) on NHWC directly
// instead of reordering every activation to its blocked layout and back, and BatchNorm, SiLU
// and the residual sums follow the layout. Values are unchanged; only strides differ, so
// shapes, state dicts (which are written contiguous) and outputs are the same.

// Re-lays every 4-D parameter of `module` (convolution weights) in channels-last memory, so
// the convolutions need no per-call weight reorder and their gradients keep the same layout.
void UseChannelsLastWeights(torch::nn::Module& module);

// The input of a channels-last trunk: `images` [N, C, H, W] in channels-last memory
// (no copy when it already is).
at::Tensor ChannelsLastInput(const at::Tensor& images);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_CHANNELS_LAST_H_
