#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_H_

#include <array>
#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"
#include "worker/trainer/models/nfnet_blocks.h"

namespace foldstack::trainer {

// timm's NormFreeNet (timm/models/nfnet.py) restricted to the NFNet-F / -L layout
// (NfCfg reg=False, extra_conv=True, stem "deep_quad"): state-dict keys as timm's
//   stem.conv1..conv4, stages.<s>.<b>.{skipinit_gain, downsample.conv, conv1, conv2,
//   conv2b, conv3, attn_last.*}, final_conv, head.fc
// There are no norm layers; every conv is a ScaledStdConv2d with a learnable gain.
struct NfNetSpec {
  std::array<int, 4> depths = {1, 2, 6, 3};
  std::array<int, 4> channels = {256, 512, 1536, 1536};
  int stem_channels = 128;
  int group_size = 128;
  double bottle_ratio = 0.5;
  double feature_multiplier = 2.0;  // final_conv width = channels[3] * feature_multiplier
  NfActivation::Kind act = NfActivation::Kind::kGelu;
  NfAttention attention = NfAttention::kSqueezeExcite;
  double se_rd_ratio = 0.5;
  bool gamma_in_act = false;  // DeepMind variants scale activations, not conv weights
  bool same_padding = false;  // DeepMind variants use TF "SAME" padding
  bool skipinit = false;
};

// Requires num_classes > 0 (the registry validates options before calling).
std::shared_ptr<ImageClassifier> MakeNfNet(const NfNetSpec& spec, const ModelOptions& options);

// eca_nfnet_l0, nfnet_l0, dm_nfnet_f0 (family "nfnet", classifier "head.fc").
std::vector<ModelEntry> NfNetModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_H_
