#include "worker/trainer/models/swin_transformer.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <algorithm>
#include <string>
#include <utility>

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

// torch.nn.LayerNorm's default eps, which timm's Swin uses.
nn::LayerNorm Norm(int64_t dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)); }

// timm's trunc_normal_(std=.02): bounds +-2 lie 100 std out, so clamping equals redrawing.

// [B, H, W, C] -> [B * windows, wh * ww, C]; windows in row-major order within each image.
torch::Tensor PartitionWindows(const torch::Tensor& x, int64_t wh, int64_t ww) {
  const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  return x.view({b, h / wh, wh, w / ww, ww, c}).permute({0, 1, 3, 2, 4, 5}).reshape({-1, wh * ww, c});
}

// Inverse of PartitionWindows for an h x w map.
torch::Tensor MergeWindows(const torch::Tensor& windows, int64_t wh, int64_t ww, int64_t h, int64_t w) {
  const int64_t c = windows.size(-1);
  return windows.view({-1, h / wh, w / ww, wh, ww, c}).permute({0, 1, 3, 2, 4, 5}).reshape({-1, h, w, c});
}

// Region of each row (or column) of the padded, cyclically shifted map: tokens that
// wrapped around must not attend to their new neighbours (timm's three slices).
torch::Tensor ShiftRegions(int64_t length, int64_t window, int64_t shift) {
  torch::Tensor region = torch::zeros({length}, torch::kLong);
  if (shift == 0) return region;
  region.slice(0, length - window, length - shift).fill_(1);
  region.slice(0, length - shift, length).fill_(2);
  return region;
}

// timm's SW-MSA mask: [windows, N, N] with -100 between tokens of different regions.
torch::Tensor ShiftedWindowMask(int64_t h, int64_t w, std::pair<int64_t, int64_t> window,
                                std::pair<int64_t, int64_t> shift) {
  const torch::Tensor rows = ShiftRegions(h, window.first, shift.first);
  const torch::Tensor cols = ShiftRegions(w, window.second, shift.second);
  const torch::Tensor regions = (rows.unsqueeze(1) * 3 + cols.unsqueeze(0)).view({1, h, w, 1});
  const torch::Tensor ids = PartitionWindows(regions, window.first, window.second).squeeze(-1);
  return (ids.unsqueeze(1) != ids.unsqueeze(2)).to(torch::kFloat32) * -100.0;
}

// A tensor derived from constants, copied to the device of use on first need (plain
// members are not moved by Module::to).
const torch::Tensor& OnDevice(torch::Tensor& t, const torch::Device& device) {
  if (t.defined() && t.device() != device) t = t.to(device);
  return t;
}

class WindowAttention : public nn::Module {
 public:
  WindowAttention(int64_t dim, int64_t heads, std::pair<int64_t, int64_t> window) : heads_(heads) {
    table_ = register_parameter("relative_position_bias_table",
                                torch::empty({(2 * window.first - 1) * (2 * window.second - 1), heads}));
    index_ = RelativePositionIndex(window.first, window.second);
    qkv_ = register_module("qkv", nn::Linear(dim, 3 * dim));
    proj_ = register_module("proj", nn::Linear(dim, dim));
    torch::NoGradGuard no_grad;
    TruncNormal(table_, 0.02);
  }

  // windows [B * nW, N, C]; mask [nW, N, N] or undefined.
  torch::Tensor forward(const torch::Tensor& windows, const torch::Tensor& mask) {
    torch::Tensor bias = RelativePositionBias(table_, OnDevice(index_, table_.device())).unsqueeze(0);
    if (mask.defined()) bias = bias + mask.unsqueeze(1);  // [nW, heads, N, N]
    const torch::Tensor qkv = ApplyLinear(qkv_, windows);
    return ApplyLinear(proj_, MultiHeadSelfAttention(qkv, heads_, bias, 0.0, is_training()));
  }

 private:
  int64_t heads_;
  torch::Tensor table_;
  torch::Tensor index_;  // non-persistent in timm
  nn::Linear qkv_{nullptr};
  nn::Linear proj_{nullptr};
};

class SwinBlock : public nn::Module {
 public:
  // resolution: the stage's token grid; windows larger than it shrink to it and then
  // do not shift (timm's _calc_window_shift).
  SwinBlock(int64_t dim, int64_t heads, std::pair<int64_t, int64_t> resolution, int64_t window, bool shifted,
            double drop_path)
      : drop_path_(drop_path) {
    window_ = {std::min(resolution.first, window), std::min(resolution.second, window)};
    const int64_t shift = shifted ? window / 2 : 0;
    shift_ = {resolution.first <= window_.first ? 0 : shift, resolution.second <= window_.second ? 0 : shift};
    norm1_ = register_module("norm1", Norm(dim));
    attn_ = register_module("attn", std::make_shared<WindowAttention>(dim, heads, window_));
    norm2_ = register_module("norm2", Norm(dim));
    mlp_ = register_module("mlp", Mlp(dim, 4 * dim));
    if (shift_.first > 0 || shift_.second > 0) {
      mask_ = ShiftedWindowMask(RoundUp(resolution.first, window_.first), RoundUp(resolution.second, window_.second),
                                window_, shift_);
    }
  }

  // x [B, H, W, C] -> same.
  torch::Tensor forward(const torch::Tensor& x) {
    const bool shifted = shift_.first > 0 || shift_.second > 0;
    torch::Tensor y = norm1_->forward(x);
    if (shifted) y = at::roll(y, {-shift_.first, -shift_.second}, {1, 2});
    const int64_t h = x.size(1), w = x.size(2);
    const int64_t pad_h = RoundUp(h, window_.first) - h, pad_w = RoundUp(w, window_.second) - w;
    if (pad_h > 0 || pad_w > 0) y = F::pad(y, F::PadFuncOptions({0, 0, 0, pad_w, 0, pad_h}));
    y = attn_->forward(PartitionWindows(y, window_.first, window_.second), OnDevice(mask_, x.device()));
    y = MergeWindows(y, window_.first, window_.second, h + pad_h, w + pad_w);
    if (pad_h > 0 || pad_w > 0) y = y.slice(1, 0, h).slice(2, 0, w);
    if (shifted) y = at::roll(y, {shift_.first, shift_.second}, {1, 2});
    torch::Tensor out = x + DropPath(y, drop_path_, is_training());
    return out + DropPath(mlp_->forward(norm2_->forward(out)), drop_path_, is_training());
  }

 private:
  static int64_t RoundUp(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

  double drop_path_;
  std::pair<int64_t, int64_t> window_;
  std::pair<int64_t, int64_t> shift_;
  nn::LayerNorm norm1_{nullptr};
  std::shared_ptr<WindowAttention> attn_;
  nn::LayerNorm norm2_{nullptr};
  Mlp mlp_{nullptr};
  torch::Tensor mask_;  // non-persistent in timm; undefined without shift
};

// 2x2 neighbourhoods -> channels (timm's order: (0,0), (1,0), (0,1), (1,1)), norm, linear.
class PatchMerging : public nn::Module {
 public:
  explicit PatchMerging(int64_t dim)
      : norm_(register_module("norm", Norm(4 * dim))),
        reduction_(register_module("reduction", nn::Linear(nn::LinearOptions(4 * dim, 2 * dim).bias(false)))) {}

  torch::Tensor forward(torch::Tensor x) {
    const int64_t h = x.size(1), w = x.size(2), c = x.size(3);
    if (h % 2 != 0 || w % 2 != 0) x = F::pad(x, F::PadFuncOptions({0, 0, 0, w % 2, 0, h % 2}));
    x = x.reshape({x.size(0), x.size(1) / 2, 2, x.size(2) / 2, 2, c}).permute({0, 1, 3, 4, 2, 5}).flatten(3);
    return ApplyLinear(reduction_, norm_->forward(x));
  }

 private:
  nn::LayerNorm norm_;
  nn::Linear reduction_;
};

class SwinStage : public nn::Module {
 public:
  SwinStage(int64_t in_dim, int64_t dim, int64_t heads, std::pair<int64_t, int64_t> resolution, int64_t window,
            const std::vector<double>& drop_paths) {
    // Stage 0 keeps the patch embedding's width; later ones open with a PatchMerging.
    if (in_dim != dim) downsample_ = register_module("downsample", std::make_shared<PatchMerging>(in_dim));
    nn::ModuleList blocks;
    for (size_t i = 0; i < drop_paths.size(); ++i) {
      blocks_.push_back(std::make_shared<SwinBlock>(dim, heads, resolution, window, i % 2 == 1, drop_paths[i]));
      blocks->push_back(blocks_.back());
    }
    register_module("blocks", blocks);
  }

  torch::Tensor forward(torch::Tensor x) {
    if (downsample_) x = downsample_->forward(x);
    for (const auto& block : blocks_) x = block->forward(x);
    return x;
  }

 private:
  std::shared_ptr<PatchMerging> downsample_;
  std::vector<std::shared_ptr<SwinBlock>> blocks_;
};

// timm's PatchEmbed with norm and NHWC output: conv patchify -> [B, H/p, W/p, C] -> LayerNorm.
class PatchEmbed : public nn::Module {
 public:
  PatchEmbed(int image_size, int patch, int64_t dim)
      : image_size_(image_size),
        proj_(register_module("proj", nn::Conv2d(nn::Conv2dOptions(3, dim, patch).stride(patch)))),
        norm_(register_module("norm", Norm(dim))) {}

  torch::Tensor forward(const torch::Tensor& images) {
    TORCH_CHECK(images.size(2) == image_size_ && images.size(3) == image_size_, "swin: input must be ", image_size_,
                "x", image_size_, ", got ", images.size(2), "x", images.size(3));
    return norm_->forward(proj_->forward(images).permute({0, 2, 3, 1}));
  }

 private:
  int image_size_;
  nn::Conv2d proj_;
  nn::LayerNorm norm_;
};

// timm's ClassifierHead with avg pooling over NHWC: only "fc" holds state.
class ClassifierHead : public nn::Module {
 public:
  ClassifierHead(int64_t dim, int num_classes, double drop_rate)
      : drop_rate_(drop_rate), fc_(register_module("fc", nn::Linear(dim, num_classes))) {}

  torch::Tensor forward(const torch::Tensor& features) {
    torch::Tensor pooled = features.mean({1, 2});
    pooled = F::dropout(pooled, F::DropoutFuncOptions().p(drop_rate_).training(is_training()));
    return fc_->forward(pooled);
  }

 private:
  double drop_rate_;
  nn::Linear fc_;
};

class SwinTransformer : public ImageClassifier {
 public:
  SwinTransformer(const SwinSpec& spec, const ModelOptions& options) : num_classes_(options.num_classes) {
    patch_embed_ = register_module("patch_embed", std::make_shared<PatchEmbed>(spec.image_size, spec.patch_size,
                                                                               spec.embed_dim));
    int total_blocks = 0;
    for (int depth : spec.depths) total_blocks += depth;
    const std::vector<double> rates = DropPathRates(options.drop_path_rate, total_blocks);
    nn::ModuleList layers;
    int64_t grid = spec.image_size / spec.patch_size;
    int64_t dim = spec.embed_dim;
    size_t first_block = 0;
    for (size_t stage = 0; stage < spec.depths.size(); ++stage) {
      const int64_t in_dim = dim;
      if (stage > 0) dim *= 2, grid /= 2;
      const std::vector<double> stage_rates(rates.begin() + first_block,
                                            rates.begin() + first_block + spec.depths[stage]);
      first_block += spec.depths[stage];
      stages_.push_back(std::make_shared<SwinStage>(in_dim, dim, spec.num_heads[stage], std::pair{grid, grid},
                                                    spec.window_size, stage_rates));
      layers->push_back(stages_.back());
    }
    register_module("layers", layers);
    norm_ = register_module("norm", Norm(dim));
    head_ = register_module("head", std::make_shared<ClassifierHead>(dim, options.num_classes, options.drop_rate));
    InitLinears();
  }

  torch::Tensor forward(torch::Tensor images) override {
    torch::Tensor x = patch_embed_->forward(images);
    for (const auto& stage : stages_) x = stage->forward(x);
    return head_->forward(norm_->forward(x));
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm's init_weights_vit_timm: Linear weights trunc_normal(.02), biases zero; the
  // patch conv and LayerNorms keep PyTorch's defaults.
  void InitLinears() {
    torch::NoGradGuard no_grad;
    for (const auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<nn::Linear>()) {
        TruncNormal(linear->weight, 0.02);
        if (linear->bias.defined()) nn::init::zeros_(linear->bias);
      }
    }
  }

  int num_classes_;
  std::shared_ptr<PatchEmbed> patch_embed_;
  std::vector<std::shared_ptr<SwinStage>> stages_;
  nn::LayerNorm norm_{nullptr};
  std::shared_ptr<ClassifierHead> head_;
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeSwinTransformer(const SwinSpec& spec, const ModelOptions& options) {
  return std::make_shared<SwinTransformer>(spec, options);
}

std::vector<ModelEntry> SwinTransformerModels() {
  ModelInfo info;
  info.name = "swin_base_patch4_window7_224";
  info.family = "swin_transformer";
  info.data.crop_pct = 0.9;
  info.data.fixed_input_size = true;
  info.classifier = "head.fc";
  SwinSpec spec;
  spec.embed_dim = 128;
  spec.depths = {2, 2, 18, 2};
  spec.num_heads = {4, 8, 16, 32};
  return {ModelEntry{info, [spec](const ModelOptions& options) { return MakeSwinTransformer(spec, options); }}};
}

}  // namespace foldstack::trainer
