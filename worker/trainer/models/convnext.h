#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_CONVNEXT_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_CONVNEXT_H_

#include <array>
#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// timm's ConvNeXt (timm/models/convnext.py, default "patch" stem, channels-last MLP):
// state-dict keys as timm's
//   stem.0 (4x4/4 conv), stem.1 (LayerNorm2d),
//   stages.<s>.downsample.{0 (LayerNorm2d), 1 (2x2/2 conv)} for s > 0,
//   stages.<s>.blocks.<b>.{gamma, conv_dw, norm, mlp.fc1, mlp.fc2}, head.norm, head.fc
// LayerNorm2d is a torch::nn::LayerNorm applied to the channels-last permutation.
struct ConvNextSpec {
  std::array<int, 4> depths = {3, 3, 9, 3};
  std::array<int, 4> dims = {96, 192, 384, 768};
  double layer_scale_init = 1e-6;  // ls_init_value, the initial per-channel "gamma"
};

// Requires num_classes > 0 (the registry validates options before calling).
std::shared_ptr<ImageClassifier> MakeConvNext(const ConvNextSpec& spec, const ModelOptions& options);

// convnext_tiny (family "convnext", classifier "head.fc").
std::vector<ModelEntry> ConvNextModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_CONVNEXT_H_
