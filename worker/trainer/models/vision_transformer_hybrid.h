#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_HYBRID_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_HYBRID_H_

#include <memory>
#include <vector>

#include "worker/trainer/models/model_info.h"
#include "worker/trainer/models/vision_transformer.h"

namespace foldstack::trainer {

// timm's HybridEmbed with patch_size 1: the ResNetV2 backbone (resnetv2_backbone.h) for a
// square image_size input, then proj = Conv2d(backbone channels, embed_dim, 1), flattened
// to tokens. Keys: backbone.*, proj.{weight,bias}.
std::shared_ptr<TokenEmbedding> MakeHybridEmbed(const std::vector<int>& blocks_per_stage, int image_size,
                                                int embed_dim);

// Family "vision_transformer_hybrid": vit_small_r26_s32_224 (R26 backbone, 4 stages of
// 2 blocks, ViT-S) and vit_base_r50_s16_224 (R50 backbone cut after 3 stages, ViT-B).
std::vector<ModelEntry> VisionTransformerHybridModels();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_VISION_TRANSFORMER_HYBRID_H_
