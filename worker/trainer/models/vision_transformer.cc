#include "worker/trainer/models/vision_transformer.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <utility>

#include "worker/trainer/models/layers/drop_path.h"
#include "worker/trainer/models/layers/trunc_normal.h"
#include "worker/trainer/models/vision_transformer_block.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

class PatchEmbed : public TokenEmbedding {
 public:
  PatchEmbed(int image_size, int patch_size, int embed_dim)
      : image_size_(image_size),
        grid_(image_size / patch_size),
        proj_(register_module(
            "proj", nn::Conv2d(nn::Conv2dOptions(3, embed_dim, patch_size).stride(patch_size)))) {}

  torch::Tensor forward(torch::Tensor images) override {
    TORCH_CHECK(images.size(2) == image_size_ && images.size(3) == image_size_, "patch_embed: input ",
                images.size(2), "x", images.size(3), " does not match the model's fixed size ", image_size_,
                "x", image_size_);
    return proj_->forward(images).flatten(2).transpose(1, 2);  // NCHW -> [B, HW, C]
  }

  int64_t num_patches() const override { return grid_ * grid_; }

 private:
  int image_size_;
  int64_t grid_;
  nn::Conv2d proj_;
};

class VisionTransformer : public ImageClassifier {
 public:
  VisionTransformer(const VisionTransformerSpec& spec, std::shared_ptr<TokenEmbedding> patch_embed,
                    const ModelOptions& options)
      : num_classes_(options.num_classes), drop_rate_(options.drop_rate) {
    // Own parameters come first in the state dict whatever the order, as in timm.
    cls_token_ = register_parameter("cls_token", at::zeros({1, 1, spec.embed_dim}));
    pos_embed_ = register_parameter("pos_embed", at::zeros({1, patch_embed->num_patches() + 1, spec.embed_dim}));
    patch_embed_ = register_module("patch_embed", std::move(patch_embed));
    nn::ModuleList blocks;
    for (double rate : DropPathRates(options.drop_path_rate, spec.depth)) {
      blocks_.push_back(VitBlock(spec.embed_dim, spec.num_heads, spec.mlp_ratio, rate));
      blocks->push_back(blocks_.back());
    }
    register_module("blocks", blocks);
    norm_ = register_module("norm", VitLayerNorm(spec.embed_dim));
    head_ = register_module("head", nn::Linear(spec.embed_dim, options.num_classes));
    InitWeights();
  }

  torch::Tensor forward(torch::Tensor images) override {
    torch::Tensor tokens = patch_embed_->forward(images);
    TORCH_CHECK(tokens.size(1) + 1 == pos_embed_.size(1), "vision transformer: ", tokens.size(1),
                " patches for a ", images.size(2), "x", images.size(3), " input; pos_embed holds ",
                pos_embed_.size(1) - 1);
    tokens = at::cat({cls_token_.expand({tokens.size(0), -1, -1}), tokens}, 1) + pos_embed_;
    for (VitBlock& block : blocks_) tokens = block->forward(tokens);
    // LayerNorm acts per token and 'token' pooling keeps only the class token, so
    // normalizing just that token gives timm's norm-then-pool exactly.
    torch::Tensor pooled = norm_->forward(tokens.select(1, 0));
    pooled = F::dropout(pooled, F::DropoutFuncOptions().p(drop_rate_).training(is_training()));
    return head_->forward(pooled);
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm's init_weights_vit_timm over the encoder; the embedding keeps its own init
  // (PyTorch's Conv2d default, or the hybrid backbone's).
  void InitWeights() {
    torch::NoGradGuard no_grad;
    TruncNormal(pos_embed_, 0.02);
    nn::init::normal_(cls_token_, 0.0, 1e-6);
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<nn::Linear>()) {
        TruncNormal(linear->weight, 0.02);
        nn::init::zeros_(linear->bias);
      }
    }
  }

  int num_classes_;
  double drop_rate_;
  torch::Tensor cls_token_;
  torch::Tensor pos_embed_;
  std::shared_ptr<TokenEmbedding> patch_embed_;
  std::vector<VitBlock> blocks_;
  nn::LayerNorm norm_{nullptr};
  nn::Linear head_{nullptr};
};

struct PlainVit {
  const char* name;
  int patch_size;
  VisionTransformerSpec spec;
};

ModelEntry PlainVitEntry(const PlainVit& row, const std::string& family) {
  const VisionTransformerSpec spec = row.spec;
  const int patch_size = row.patch_size;
  ModelInfo info = VitModelInfo(row.name, family);
  const int image_size = info.data.height;
  return ModelEntry{info, [spec, patch_size, image_size](const ModelOptions& options) {
                      return MakeVisionTransformer(spec, MakePatchEmbed(image_size, patch_size, spec.embed_dim),
                                                   options);
                    }};
}

}  // namespace

std::shared_ptr<TokenEmbedding> MakePatchEmbed(int image_size, int patch_size, int embed_dim) {
  return std::make_shared<PatchEmbed>(image_size, patch_size, embed_dim);
}

std::shared_ptr<ImageClassifier> MakeVisionTransformer(const VisionTransformerSpec& spec,
                                                       std::shared_ptr<TokenEmbedding> patch_embed,
                                                       const ModelOptions& options) {
  return std::make_shared<VisionTransformer>(spec, std::move(patch_embed), options);
}

ModelInfo VitModelInfo(const std::string& name, const std::string& family) {
  ModelInfo info;
  info.name = name;
  info.family = family;
  info.data.mean = {0.5, 0.5, 0.5};
  info.data.std = {0.5, 0.5, 0.5};
  info.data.crop_pct = 0.9;
  info.data.fixed_input_size = true;
  info.classifier = "head";
  return info;
}

std::vector<ModelEntry> VisionTransformerModels() {
  std::vector<ModelEntry> entries;
  for (const PlainVit& row : {PlainVit{"vit_tiny_patch16_224", 16, {192, 12, 3}},
                              PlainVit{"vit_small_patch16_224", 16, {384, 12, 6}},
                              PlainVit{"vit_small_patch32_224", 32, {384, 12, 6}},
                              PlainVit{"vit_base_patch16_224", 16, {768, 12, 12}},
                              PlainVit{"vit_large_patch16_224", 16, {1024, 24, 16}}}) {
    entries.push_back(PlainVitEntry(row, "vision_transformer"));
  }
  return entries;
}

std::vector<ModelEntry> DeitModels() {
  ModelEntry deit = PlainVitEntry({"deit_base_patch16_224", 16, {768, 12, 12}}, "deit");
  deit.info.data.mean = {0.485, 0.456, 0.406};  // timm's IMAGENET_DEFAULT_MEAN / STD
  deit.info.data.std = {0.229, 0.224, 0.225};
  return {deit};
}

}  // namespace foldstack::trainer
