#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// timm's ResNet family (timm/models/resnet.py), re-expressed with the LibTorch
// C++ frontend so that state-dict keys and their order are exactly timm's:
//   conv1, bn1, layer1..layer4 (blocks "0", "1", ...; each BasicBlock holds
//   conv1, bn1, conv2, bn2 and, when stride != 1 or the width changes,
//   downsample.0 (1x1 conv) / downsample.1 (BatchNorm)), fc.
// Initialization also follows timm: convs kaiming_normal_(fan_out, relu),
// BatchNorm weight 1 / bias 0, the last BN of every block zeroed
// (zero_init_last), fc with PyTorch's default Linear init.
struct ResNetSpec {
  // Number of BasicBlocks in layer1..layer4, e.g. {2, 2, 2, 2} for resnet18.
  std::vector<int> blocks_per_layer;
};

// Requires spec.blocks_per_layer.size() == 4 with positive entries and
// num_classes > 0 (the registry validates both before calling).
std::shared_ptr<ImageClassifier> MakeBasicBlockResNet(const ResNetSpec& spec, int num_classes);

// The family's registry rows (timm names, pretrained_cfg data settings, classifier "fc").
std::vector<ModelEntry> ResNetModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_H_
