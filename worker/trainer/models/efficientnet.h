#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/efficientnet_blocks.h"
#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// timm's EfficientNet class (timm/models/efficientnet.py) for the efficientnet_b0..b7 and
// efficientnetv2_rw_{t,s,m} definitions. State-dict keys follow timm:
//   conv_stem, bn1, blocks.<stage>.<block>.<block keys>, conv_head, bn2, classifier.
// Forward: stem conv (3x3, stride 2) -> BN+SiLU -> blocks -> 1x1 conv_head -> BN+SiLU ->
// global average pool -> dropout(drop_rate, training only) -> classifier.
// Initialization is timm's _init_weight_goog: conv weights N(0, sqrt(2 / fan_out)) with
// fan_out = k*k*out/groups, conv biases 0, BN 1/0, classifier U(+-1/sqrt(out)) with bias 0.

// One stage of timm's arch_def, e.g. "ir_r2_k3_s2_e6_c24_se0.25" is
// {kInvertedResidual, 2, 3, 2, 6.0, 24, 0.25}. Each of our models has one definition per stage.
struct EfficientNetStageDef {
  EfficientNetBlockType type;
  int repeats;
  int kernel_size;
  int stride;  // of the stage's first block; the rest use 1
  double exp_ratio;
  int channels;  // before the channel multiplier
  double se_ratio = 0.0;  // relative to the block input, as in timm's arch strings
  bool residual = true;   // "noskip" -> false; "cn" blocks need an explicit "skip"
};

struct EfficientNetSpec {
  std::vector<EfficientNetStageDef> stages;
  double channel_multiplier = 1.0;     // timm's round_channels(c, multiplier, divisor 8)
  std::vector<double> depth_multipliers;  // one per stage; repeats -> ceil(repeats * m)
  int stem_channels = 32;              // before rounding
  int head_channels = 1280;            // num_features before rounding
};

// The per-block arguments timm's builder derives from `spec` (channels rounded, repeats
// scaled, strides, SE ratios relative to each SE's input, drop-path rate
// drop_path_rate * block_index / block_count), grouped by stage.
std::vector<std::vector<EfficientNetBlockArgs>> EfficientNetBlockPlan(const EfficientNetSpec& spec,
                                                                      double drop_path_rate);

// Requires options.num_classes > 0 and rates in [0, 1) (the registry validates them).
std::shared_ptr<ImageClassifier> MakeEfficientNet(const EfficientNetSpec& spec, const ModelOptions& options);

// efficientnet_b0..b7, efficientnetv2_rw_t/s/m with timm's pretrained_cfg data settings
// and classifier "classifier".
std::vector<ModelEntry> EfficientNetModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_H_
