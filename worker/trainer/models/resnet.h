#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"
#include "worker/trainer/models/resnet_blocks.h"

namespace foldstack::trainer {

// timm's ResNet trunk (timm/models/resnet.py), re-expressed with the LibTorch C++
// frontend so that state-dict keys and their order are exactly timm's:
//   conv1 (7x7 conv, or the deep stem conv1.0/.1/.3/.4/.6), bn1, layer1..layer4 (blocks
//   "0", "1", ...; the first block of a stage holds downsample.0 conv / .1 BN, or with
//   avg_down downsample.0 AvgPool / .1 conv / .2 BN), fc.
// Forward: stem -> ReLU -> 3x3/2 max pool -> stages -> global average pool -> dropout
// (drop_rate, training only) -> fc. Initialization follows timm: every conv
// kaiming_normal_(fan_out, relu), BatchNorm weight 1 / bias 0, zero_init_last per block,
// fc with PyTorch's default Linear init.
struct ResNetSpec {
  std::vector<int> blocks_per_layer;  // e.g. {2, 2, 2, 2} for resnet18; four stages
  BlockFactory block = MakeBasicBlock;
  int expansion = 1;  // 1 for basic blocks, 4 for bottlenecks
  int cardinality = 1;
  int base_width = 64;
  // timm's stem_type "deep": three 3x3 convs of widths stem_width, stem_width, 2 * stem_width.
  bool deep_stem = false;
  int stem_width = 64;
  bool avg_down = false;  // 2x2 average pool before the 1x1 projection shortcut
  bool zero_init_last = true;
};

// Requires four positive entries in spec.blocks_per_layer and a validated `options`
// (the registry checks num_classes > 0 and rates in [0, 1) before calling).
std::shared_ptr<ImageClassifier> MakeResNet(const ResNetSpec& spec, const ModelOptions& options);

// The family's registry rows: resnet18/26/34/50/101/152, resnet18d/26d/34d, resnext50_32x4d
// (timm names, pretrained_cfg data settings of the default tag, classifier "fc").
std::vector<ModelEntry> ResNetModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_
