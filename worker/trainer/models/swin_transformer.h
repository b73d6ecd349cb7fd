#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_SWIN_TRANSFORMER_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_SWIN_TRANSFORMER_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// timm's SwinTransformer (timm/models/swin_transformer.py), channels-last (NHWC) as
// timm runs it. State-dict keys follow timm exactly:
//   patch_embed.{proj,norm}
//   layers.<i>.downsample.{norm,reduction}   (PatchMerging at the START of stages 1..3)
//   layers.<i>.blocks.<j>.{norm1, attn.{relative_position_bias_table, qkv, proj}, norm2, mlp.{fc1,fc2}}
//   norm, head.fc
// relative_position_index and attn_mask are non-persistent in timm and so are not state.
struct SwinSpec {
  int image_size = 224;  // fixed: windows, shifts and masks are laid out for it
  int patch_size = 4;
  int window_size = 7;
  int embed_dim = 96;          // doubles at every stage
  std::vector<int> depths;     // blocks per stage
  std::vector<int> num_heads;  // heads per stage
};

// Requires image_size divisible by patch_size, depths.size() == num_heads.size() and
// options validated by the registry.
std::shared_ptr<ImageClassifier> MakeSwinTransformer(const SwinSpec& spec, const ModelOptions& options);

// swin_base_patch4_window7_224 (pretrained_cfg: bicubic, crop 0.9, ImageNet mean/std,
// fixed input size, classifier "head.fc").
std::vector<ModelEntry> SwinTransformerModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_SWIN_TRANSFORMER_H_
