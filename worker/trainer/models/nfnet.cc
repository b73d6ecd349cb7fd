#include "worker/trainer/models/nfnet.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cmath>
#include <string>

#include "worker/trainer/models/layers/drop_path.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;

// timm's "deep_quad" stem: four 3x3 scaled convs (strides 2, 1, 1, 2; widths /8, /4, /2, /1
// of the stem width) with activations between them.
class DeepQuadStemImpl : public nn::Module {
 public:
  DeepQuadStemImpl(int out_channels, const ScaledStdConvOptions& conv, const NfActivation& act) : act_(act) {
    const int widths[4] = {out_channels / 8, out_channels / 4, out_channels / 2, out_channels};
    const int strides[4] = {2, 1, 1, 2};
    int in_channels = 3;
    for (int i = 0; i < 4; ++i) {
      ScaledStdConvOptions options = conv;
      options.in_channels = in_channels;
      options.out_channels = widths[i];
      options.kernel = 3;
      options.stride = strides[i];
      convs_[i] = register_module("conv" + std::to_string(i + 1), ScaledStdConv2d(options));
      in_channels = widths[i];
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    x = convs_[0]->forward(x);
    for (int i = 1; i < 4; ++i) x = convs_[i]->forward(act_(x));
    return x;
  }

 private:
  NfActivation act_;
  ScaledStdConv2d convs_[4] = {nullptr, nullptr, nullptr, nullptr};
};
TORCH_MODULE(DeepQuadStem);

// timm's ClassifierHead with average pooling: pool -> dropout -> fc ("head.fc").
class PoolDropFcHeadImpl : public nn::Module {
 public:
  PoolDropFcHeadImpl(int features, int num_classes, double drop_rate)
      : fc_(register_module("fc", nn::Linear(features, num_classes))), drop_rate_(drop_rate) {}

  torch::Tensor forward(torch::Tensor x) {
    x = at::dropout(x.mean({2, 3}), drop_rate_, is_training());
    return fc_->forward(x);
  }

  nn::Linear fc_;

 private:
  double drop_rate_;
};
TORCH_MODULE(PoolDropFcHead);

class NfNet : public ImageClassifier {
 public:
  NfNet(const NfNetSpec& spec, const ModelOptions& options) : num_classes_(options.num_classes) {
    const double gamma = NfActivation::GammaFor(spec.act);
    act_ = NfActivation{spec.act, spec.gamma_in_act ? gamma : 1.0};
    ScaledStdConvOptions conv;
    conv.gamma = spec.gamma_in_act ? 1.0 : gamma;
    conv.eps = 1e-5;
    conv.same_padding = spec.same_padding;

    stem_ = register_module("stem", DeepQuadStem(spec.stem_channels, conv, act_));
    const std::vector<double> rates = DropPathRates(
        options.drop_path_rate, spec.depths[0] + spec.depths[1] + spec.depths[2] + spec.depths[3]);
    nn::ModuleList stages;
    int in_channels = spec.stem_channels;
    int block_index = 0;
    constexpr double kAlpha = 0.2;
    double expected_var = 1.0;
    for (int s = 0; s < 4; ++s) {
      nn::Sequential stage;
      for (int b = 0; b < spec.depths[s]; ++b) {
        NormFreeBlockOptions block;
        block.in_channels = in_channels;
        block.out_channels = MakeDivisible(spec.channels[s], 8);
        // The deep_quad stem already has stride 4, so stage 0 keeps the resolution.
        block.stride = b == 0 && s > 0 ? 2 : 1;
        block.alpha = kAlpha;
        block.beta = 1.0 / std::sqrt(expected_var);
        block.bottle_ratio = spec.bottle_ratio;
        block.group_size = spec.group_size;
        block.skipinit = spec.skipinit;
        block.attention = spec.attention;
        block.se_rd_ratio = spec.se_rd_ratio;
        block.act = act_;
        block.conv = conv;
        block.drop_path_rate = rates[block_index++];
        stage->push_back(NormFreeBlock(block));
        // Signal variance grows by alpha^2 per block and resets at each stage's transition.
        if (b == 0) expected_var = 1.0;
        expected_var += kAlpha * kAlpha;
        in_channels = block.out_channels;
      }
      stages->push_back(stage);
      stage_list_.push_back(stage);
    }
    stages_ = register_module("stages", stages);

    const int features = MakeDivisible(spec.channels[3] * spec.feature_multiplier, 8);
    ScaledStdConvOptions final_conv = conv;
    final_conv.in_channels = in_channels;
    final_conv.out_channels = features;
    final_conv_ = register_module("final_conv", ScaledStdConv2d(final_conv));
    head_ = register_module("head", PoolDropFcHead(features, options.num_classes, options.drop_rate));
    InitWeights();
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = stem_->forward(x);
    for (nn::Sequential& stage : stage_list_) x = stage->forward(x);
    return head_->forward(act_(final_conv_->forward(x)));
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm: plain convs (the SE's) kaiming_normal (fan_in, linear); fc normal(0, 0.01);
  // biases zero. ScaledStdConv2d initializes itself the same way.
  void InitWeights() {
    torch::NoGradGuard no_grad;
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<nn::Conv2d>()) {
        nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanIn, torch::kLinear);
        nn::init::zeros_(conv->bias);
      }
    }
    nn::init::normal_(head_->fc_->weight, 0.0, 0.01);
    nn::init::zeros_(head_->fc_->bias);
  }

  int num_classes_;
  NfActivation act_;
  DeepQuadStem stem_{nullptr};
  nn::ModuleList stages_{nullptr};
  std::vector<nn::Sequential> stage_list_;
  ScaledStdConv2d final_conv_{nullptr};
  PoolDropFcHead head_{nullptr};
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeNfNet(const NfNetSpec& spec, const ModelOptions& options) {
  return std::make_shared<NfNet>(spec, options);
}

std::vector<ModelEntry> NfNetModels() {
  auto row = [](const std::string& name, const NfNetSpec& spec, int input_size) {
    ModelInfo info;
    info.name = name;
    info.family = "nfnet";
    info.data.height = info.data.width = input_size;
    info.data.crop_pct = 0.9;
    info.classifier = "head.fc";
    return ModelEntry{info, [spec](const ModelOptions& options) { return MakeNfNet(spec, options); }};
  };
  // The "light" NFNet-L0: SiLU, group width 64, quarter bottleneck, 1.5x final features.
  NfNetSpec l0;
  l0.group_size = 64;
  l0.bottle_ratio = 0.25;
  l0.feature_multiplier = 1.5;
  l0.act = NfActivation::Kind::kSilu;
  l0.se_rd_ratio = 0.25;
  NfNetSpec eca_l0 = l0;
  eca_l0.attention = NfAttention::kEca;
  // DeepMind's NFNet-F0 (GELU), as their JAX code: gammas in the activations, SAME padding, skipinit.
  NfNetSpec dm_f0;
  dm_f0.gamma_in_act = true;
  dm_f0.same_padding = true;
  dm_f0.skipinit = true;
  return {row("eca_nfnet_l0", eca_l0, 224), row("nfnet_l0", l0, 224), row("dm_nfnet_f0", dm_f0, 192)};
}

}  // namespace foldstack::trainer
