#include "worker/trainer/models/layers/channels_last.h"

#include <torch/autograd.h>

namespace foldstack::trainer {

void UseChannelsLastWeights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& parameter : module.parameters()) {
    // set_data keeps the parameter object (optimizers and submodules hold it) but swaps
    // its storage for the re-laid copy.
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

at::Tensor ChannelsLastInput(const at::Tensor& images) {
  return images.dim() == 4 ? images.contiguous(at::MemoryFormat::ChannelsLast) : images;
}

}  // namespace foldstack::trainer
