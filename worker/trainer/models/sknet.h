#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_SKNET_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_SKNET_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/model_info.h"
#include "worker/trainer/models/resnet_blocks.h"

namespace foldstack::trainer {

// timm's SelectiveKernelBasic (timm/models/sknet.py; expansion 1): conv1 is a
// SelectiveKernel (layers/selective_kernel.py) with two 3x3 paths of dilation 1 and 2 over
// the two halves of the input channels (split_input), fused by softmax attention over the
// paths; conv2 is a 3x3 ConvNormAct without activation. State-dict keys:
//   conv1.paths.{0,1}.conv / .bn, conv1.attn.fc_reduce / .bn / .fc_select, conv2.conv / .bn,
//   downsample.0 / .1.
// The attention width is timm's make_divisible(planes / 8, 16) (skresnet18's sk_kwargs).
std::shared_ptr<ResidualBlock> MakeSelectiveKernelBasic(const BlockArgs& args);

// The family's registry rows: skresnet18 (ResNet trunk, no zero_init_last, as timm).
std::vector<ModelEntry> SkNetModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_SKNET_H_
