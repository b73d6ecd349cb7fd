#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_H_

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// What turns images into the encoder's tokens: timm's PatchEmbed (a strided conv) or
// HybridEmbed (a CNN backbone and a 1x1 conv). Registered under "patch_embed".
class TokenEmbedding : public torch::nn::Module {
 public:
  // images [B, C, H, W] -> tokens [B, num_patches(), embed_dim]
  virtual torch::Tensor forward(torch::Tensor images) = 0;
  // Token count at the model's fixed input size (sizes pos_embed).
  virtual int64_t num_patches() const = 0;
};

// timm's PatchEmbed for a square image_size input: proj = Conv2d(3, embed_dim,
// patch_size, stride patch_size), flattened to tokens. Other input sizes are rejected,
// as timm's strict_img_size does.
std::shared_ptr<TokenEmbedding> MakePatchEmbed(int image_size, int patch_size, int embed_dim);

// The encoder of timm's VisionTransformer at its defaults: class token, learned position
// embedding (class token included), pre-norm blocks, final LayerNorm, 'token' pooling,
// head_drop (options.drop_rate) and a Linear head. Keys: cls_token, pos_embed,
// patch_embed.*, blocks.<i>.*, norm, head. Init as timm's 'timm' mode: Linear weights and
// pos_embed trunc_normal(0.02), Linear biases 0, cls_token normal(1e-6); the embedding
// keeps its own init.
struct VisionTransformerSpec {
  int embed_dim = 768;
  int depth = 12;
  int num_heads = 12;
  double mlp_ratio = 4.0;
};

// Requires embed_dim % num_heads == 0 and options validated by the registry.
std::shared_ptr<ImageClassifier> MakeVisionTransformer(const VisionTransformerSpec& spec,
                                                       std::shared_ptr<TokenEmbedding> patch_embed,
                                                       const ModelOptions& options);

// timm's ViT pretrained_cfg (_cfg in vision_transformer.py): 224x224, bicubic,
// mean = std = 0.5, crop_pct 0.9, fixed input size, classifier "head".
ModelInfo VitModelInfo(const std::string& name, const std::string& family);

// Family "vision_transformer": vit_{tiny,small,base,large}_patch16_224, vit_small_patch32_224.
std::vector<ModelEntry> VisionTransformerModels();

// Family "deit": deit_base_patch16_224 (ViT-B/16 with ImageNet mean/std).
std::vector<ModelEntry> DeitModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_H_
