#include "worker/trainer/models/vision_transformer_hybrid.h"

#include <torch/nn/modules/conv.h>

#include <string>

#include "worker/trainer/models/resnetv2_backbone.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;

class HybridEmbed : public TokenEmbedding {
 public:
  HybridEmbed(const std::vector<int>& blocks_per_stage, int image_size, int embed_dim)
      : backbone_(register_module("backbone", ResNetV2Backbone(blocks_per_stage))),
        proj_(register_module("proj", nn::Conv2d(nn::Conv2dOptions(backbone_->out_channels(), embed_dim, 1)))) {
    // SAME padding rounds every stride-2 step up.
    int64_t side = image_size;
    for (int reduction = backbone_->reduction(); reduction > 1; reduction /= 2) side = (side + 1) / 2;
    num_patches_ = side * side;
  }

  torch::Tensor forward(torch::Tensor images) override {
    return proj_->forward(backbone_->forward(images)).flatten(2).transpose(1, 2);  // NCHW -> [B, HW, C]
  }

  int64_t num_patches() const override { return num_patches_; }

 private:
  ResNetV2Backbone backbone_;
  nn::Conv2d proj_;
  int64_t num_patches_ = 0;
};

ModelEntry HybridEntry(const std::string& name, std::vector<int> blocks_per_stage, VisionTransformerSpec spec) {
  ModelInfo info = VitModelInfo(name, "vision_transformer_hybrid");
  const int image_size = info.data.height;
  return ModelEntry{info, [blocks_per_stage, spec, image_size](const ModelOptions& options) {
                      return MakeVisionTransformer(
                          spec, MakeHybridEmbed(blocks_per_stage, image_size, spec.embed_dim), options);
                    }};
}

}  // namespace

std::shared_ptr<TokenEmbedding> MakeHybridEmbed(const std::vector<int>& blocks_per_stage, int image_size,
                                                int embed_dim) {
  return std::make_shared<HybridEmbed>(blocks_per_stage, image_size, embed_dim);
}

std::vector<ModelEntry> VisionTransformerHybridModels() {
  return {HybridEntry("vit_small_r26_s32_224", {2, 2, 2, 2}, {384, 12, 6}),
          HybridEntry("vit_base_r50_s16_224", {3, 4, 9}, {768, 12, 12})};
}

}  // namespace foldstack::trainer
