#include "worker/trainer/models/beit.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>
#include <string>

#include "worker/trainer/models/layers/drop_path.h"
#include "worker/trainer/models/layers/linear.h"
#include "worker/trainer/models/layers/trunc_normal.h"
#include "worker/trainer/models/layers/mlp.h"
#include "worker/trainer/models/layers/relative_position.h"
#include "worker/trainer/models/layers/self_attention.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// timm.layers.LayerNorm, which BEiT uses: eps 1e-6.
nn::LayerNorm Norm(int64_t dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)); }

// timm's trunc_normal_(std=.02): bounds +-2 lie 100 std out, so clamping equals redrawing.

// timm's gen_relative_position_index for a grid plus the cls token (index 0): the patch
// pairs use the window index, and cls->patch, patch->cls, cls->cls get the table's last
// three rows.
torch::Tensor BeitRelativePositionIndex(int64_t grid) {
  const int64_t distances = (2 * grid - 1) * (2 * grid - 1) + 3;
  const int64_t n = grid * grid + 1;
  torch::Tensor index = torch::zeros({n, n}, torch::kLong);
  index.slice(0, 1).slice(1, 1).copy_(RelativePositionIndex(grid, grid));
  index[0].fill_(distances - 3);
  index.select(1, 0).fill_(distances - 2);
  index[0][0].fill_(distances - 1);
  return index;
}

class BeitAttention : public nn::Module {
 public:
  BeitAttention(int64_t dim, int64_t heads, int64_t grid) : heads_(heads) {
    q_bias_ = register_parameter("q_bias", torch::zeros({dim}));
    v_bias_ = register_parameter("v_bias", torch::zeros({dim}));
    table_ = register_parameter("relative_position_bias_table",
                                torch::zeros({(2 * grid - 1) * (2 * grid - 1) + 3, heads}));
    index_ = BeitRelativePositionIndex(grid);
    qkv_ = register_module("qkv", nn::Linear(nn::LinearOptions(dim, 3 * dim).bias(false)));
    proj_ = register_module("proj", nn::Linear(dim, dim));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    // The key bias is a constant zero (non-persistent k_bias in timm): the bias is
    // [q_bias | 0 | v_bias], fused into the one qkv matmul.
    const torch::Tensor bias = torch::cat({q_bias_, torch::zeros_like(q_bias_), v_bias_});
    const torch::Tensor qkv = SgemmLinear(x, qkv_->weight, bias);
    if (index_.device() != table_.device()) index_ = index_.to(table_.device());
    const torch::Tensor rel_bias = RelativePositionBias(table_, index_).unsqueeze(0);
    return ApplyLinear(proj_, MultiHeadSelfAttention(qkv, heads_, rel_bias, 0.0, is_training()));
  }

  // timm's fix_init_weight: the residual projections shrink with depth.
  void RescaleProjection(double divisor) { proj_->weight.div_(divisor); }

 private:
  int64_t heads_;
  torch::Tensor q_bias_;
  torch::Tensor v_bias_;
  torch::Tensor table_;
  torch::Tensor index_;  // non-persistent in timm
  nn::Linear qkv_{nullptr};
  nn::Linear proj_{nullptr};
};

class BeitBlock : public nn::Module {
 public:
  BeitBlock(int64_t dim, int64_t heads, int64_t grid, double init_values, double drop_path)
      : drop_path_(drop_path) {
    gamma_1_ = register_parameter("gamma_1", torch::full({dim}, init_values));
    gamma_2_ = register_parameter("gamma_2", torch::full({dim}, init_values));
    norm1_ = register_module("norm1", Norm(dim));
    attn_ = register_module("attn", std::make_shared<BeitAttention>(dim, heads, grid));
    norm2_ = register_module("norm2", Norm(dim));
    mlp_ = register_module("mlp", Mlp(dim, 4 * dim));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = x + DropPath(gamma_1_ * attn_->forward(norm1_->forward(x)), drop_path_, is_training());
    return out + DropPath(gamma_2_ * mlp_->forward(norm2_->forward(out)), drop_path_, is_training());
  }

  void RescaleResidualWeights(double divisor) {
    attn_->RescaleProjection(divisor);
    mlp_->named_parameters()["fc2.weight"].div_(divisor);
  }

 private:
  double drop_path_;
  torch::Tensor gamma_1_;
  torch::Tensor gamma_2_;
  nn::LayerNorm norm1_{nullptr};
  std::shared_ptr<BeitAttention> attn_;
  nn::LayerNorm norm2_{nullptr};
  Mlp mlp_{nullptr};
};

class Beit : public ImageClassifier {
 public:
  Beit(const BeitSpec& spec, const ModelOptions& options)
      : num_classes_(options.num_classes), drop_rate_(options.drop_rate), image_size_(spec.image_size) {
    const int64_t grid = spec.image_size / spec.patch_size;
    cls_token_ = register_parameter("cls_token", torch::empty({1, 1, spec.embed_dim}));
    auto patch_embed = register_module("patch_embed", std::make_shared<nn::Module>());
    proj_ = patch_embed->register_module(
        "proj", nn::Conv2d(nn::Conv2dOptions(3, spec.embed_dim, spec.patch_size).stride(spec.patch_size)));
    const std::vector<double> rates = DropPathRates(options.drop_path_rate, spec.depth);
    nn::ModuleList blocks;
    for (int i = 0; i < spec.depth; ++i) {
      blocks_.push_back(std::make_shared<BeitBlock>(spec.embed_dim, spec.num_heads, grid, spec.init_values, rates[i]));
      blocks->push_back(blocks_.back());
    }
    register_module("blocks", blocks);
    fc_norm_ = register_module("fc_norm", Norm(spec.embed_dim));
    head_ = register_module("head", nn::Linear(spec.embed_dim, options.num_classes));
    InitWeights();
  }

  torch::Tensor forward(torch::Tensor images) override {
    TORCH_CHECK(images.size(2) == image_size_ && images.size(3) == image_size_, "beit: input must be ", image_size_,
                "x", image_size_, ", got ", images.size(2), "x", images.size(3));
    torch::Tensor x = proj_->forward(images).flatten(2).transpose(1, 2);  // [B, patches, C]
    x = torch::cat({cls_token_.expand({x.size(0), -1, -1}), x}, 1);
    for (const auto& block : blocks_) x = block->forward(x);
    x = fc_norm_->forward(x.slice(1, 1).mean(1));  // mean over the patch tokens
    x = F::dropout(x, F::DropoutFuncOptions().p(drop_rate_).training(is_training()));
    return head_->forward(x);
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm's Beit.init_weights: Linear weights trunc_normal(.02) and biases zero; cls
  // token trunc_normal(.02); block i's attn.proj and mlp.fc2 weights divided by
  // sqrt(2 (i + 1)); the head scaled by head_init_scale 0.001. The patch conv keeps
  // PyTorch's default; q/v biases and the relative position tables start at zero.
  void InitWeights() {
    torch::NoGradGuard no_grad;
    for (const auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<nn::Linear>()) {
        TruncNormal(linear->weight, 0.02);
        if (linear->bias.defined()) nn::init::zeros_(linear->bias);
      }
    }
    TruncNormal(cls_token_, 0.02);
    for (size_t i = 0; i < blocks_.size(); ++i) blocks_[i]->RescaleResidualWeights(std::sqrt(2.0 * (i + 1)));
    constexpr double kHeadInitScale = 0.001;
    head_->weight.mul_(kHeadInitScale);
    head_->bias.mul_(kHeadInitScale);
  }

  int num_classes_;
  double drop_rate_;
  int64_t image_size_;
  torch::Tensor cls_token_;
  nn::Conv2d proj_{nullptr};
  std::vector<std::shared_ptr<BeitBlock>> blocks_;
  nn::LayerNorm fc_norm_{nullptr};
  nn::Linear head_{nullptr};
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeBeit(const BeitSpec& spec, const ModelOptions& options) {
  return std::make_shared<Beit>(spec, options);
}

std::vector<ModelEntry> BeitModels() {
  ModelInfo info;
  info.name = "beit_base_patch16_224";
  info.family = "beit";
  info.data.mean = {0.5, 0.5, 0.5};
  info.data.std = {0.5, 0.5, 0.5};
  info.data.crop_pct = 0.9;
  info.data.fixed_input_size = true;
  info.classifier = "head";
  return {ModelEntry{info, [](const ModelOptions& options) { return MakeBeit(BeitSpec{}, options); }}};
}

}  // namespace foldstack::trainer
