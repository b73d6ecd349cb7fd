#include "worker/trainer/models/efficientnet.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cmath>
#include <string>

#include "worker/trainer/models/layers/channels_last.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
using Type = EfficientNetBlockType;

// timm's round_channels with divisor 8 and round_limit 0.9.
int RoundChannels(int channels, double multiplier) { return MakeDivisible(channels * multiplier); }

class EfficientNet : public ImageClassifier {
 public:
  EfficientNet(const EfficientNetSpec& spec, const ModelOptions& options)
      : num_classes_(options.num_classes), drop_rate_(options.drop_rate) {
    const int stem = RoundChannels(spec.stem_channels, spec.channel_multiplier);
    conv_stem_ = register_module("conv_stem", EfficientNetConv(3, stem, 3, 2));
    bn1_ = register_module("bn1", nn::BatchNorm2d(nn::BatchNorm2dOptions(stem).eps(1e-5).momentum(0.1)));
    nn::ModuleList stages;
    int channels = stem;
    for (const auto& stage_args : EfficientNetBlockPlan(spec, options.drop_path_rate)) {
      nn::ModuleList stage;
      for (const EfficientNetBlockArgs& args : stage_args) {
        blocks_.push_back(MakeEfficientNetBlock(args));
        stage->push_back(blocks_.back());
        channels = args.out_channels;
      }
      stages->push_back(stage);
    }
    register_module("blocks", stages);
    const int features = RoundChannels(spec.head_channels, spec.channel_multiplier);
    conv_head_ = register_module("conv_head", EfficientNetConv(channels, features, 1));
    bn2_ = register_module("bn2", nn::BatchNorm2d(nn::BatchNorm2dOptions(features).eps(1e-5).momentum(0.1)));
    classifier_ = register_module("classifier", nn::Linear(features, options.num_classes));
    InitWeights();
    UseChannelsLastWeights(*this);
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = ChannelsLastInput(x);  // see layers/channels_last.h
    x = BatchNormSilu(bn1_, conv_stem_->forward(x));
    for (const auto& block : blocks_) x = block->forward(x);
    x = BatchNormSilu(bn2_, conv_head_->forward(x));
    x = x.mean({2, 3});
    if (drop_rate_ > 0.0) x = F::dropout(x, F::DropoutFuncOptions().p(drop_rate_).training(is_training()));
    return classifier_->forward(x);
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm's _init_weight_goog (fix_group_fanout=True).
  void InitWeights() {
    torch::NoGradGuard no_grad;
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<nn::Conv2d>()) {
        const auto& o = conv->options;
        const double fan_out = static_cast<double>((*o.kernel_size())[0] * (*o.kernel_size())[1] *
                                                   o.out_channels() / o.groups());
        nn::init::normal_(conv->weight, 0.0, std::sqrt(2.0 / fan_out));
        if (conv->bias.defined()) nn::init::zeros_(conv->bias);
      } else if (auto* norm = module->as<nn::BatchNorm2d>()) {
        nn::init::ones_(norm->weight);
        nn::init::zeros_(norm->bias);
      } else if (auto* linear = module->as<nn::Linear>()) {
        const double range = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(0)));
        nn::init::uniform_(linear->weight, -range, range);
        nn::init::zeros_(linear->bias);
      }
    }
  }

  int num_classes_;
  double drop_rate_;
  nn::Conv2d conv_stem_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  std::vector<std::shared_ptr<EfficientNetBlock>> blocks_;
  nn::Conv2d conv_head_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
  nn::Linear classifier_{nullptr};
};

// timm's _gen_efficientnet arch_def.
std::vector<EfficientNetStageDef> EfficientNetV1Stages() {
  return {
      {Type::kDepthwiseSeparable, 1, 3, 1, 1.0, 16, 0.25},  // ds_r1_k3_s1_e1_c16_se0.25
      {Type::kInvertedResidual, 2, 3, 2, 6.0, 24, 0.25},    // ir_r2_k3_s2_e6_c24_se0.25
      {Type::kInvertedResidual, 2, 5, 2, 6.0, 40, 0.25},    // ir_r2_k5_s2_e6_c40_se0.25
      {Type::kInvertedResidual, 3, 3, 2, 6.0, 80, 0.25},    // ir_r3_k3_s2_e6_c80_se0.25
      {Type::kInvertedResidual, 3, 5, 1, 6.0, 112, 0.25},   // ir_r3_k5_s1_e6_c112_se0.25
      {Type::kInvertedResidual, 4, 5, 2, 6.0, 192, 0.25},   // ir_r4_k5_s2_e6_c192_se0.25
      {Type::kInvertedResidual, 1, 3, 1, 6.0, 320, 0.25},   // ir_r1_k3_s1_e6_c320_se0.25
  };
}

// timm's _gen_efficientnetv2_s arch_def; `rw` is the author's original variant (er first
// stage, 272-wide last stage, 1792 head features).
EfficientNetSpec EfficientNetV2SmallSpec(bool rw, double channel_multiplier, std::vector<double> depth) {
  EfficientNetSpec spec;
  spec.stages = {
      {Type::kConvBnAct, 2, 3, 1, 1.0, 24, 0.0, /*residual=*/true},  // cn_r2_k3_s1_e1_c24_skip
      {Type::kEdgeResidual, 4, 3, 2, 4.0, 48},                      // er_r4_k3_s2_e4_c48
      {Type::kEdgeResidual, 4, 3, 2, 4.0, 64},                      // er_r4_k3_s2_e4_c64
      {Type::kInvertedResidual, 6, 3, 2, 4.0, 128, 0.25},           // ir_r6_k3_s2_e4_c128_se0.25
      {Type::kInvertedResidual, 9, 3, 1, 6.0, 160, 0.25},           // ir_r9_k3_s1_e6_c160_se0.25
      {Type::kInvertedResidual, 15, 3, 2, 6.0, 256, 0.25},          // ir_r15_k3_s2_e6_c256_se0.25
  };
  spec.head_channels = 1280;
  if (rw) {
    spec.stages.front() = {Type::kEdgeResidual, 2, 3, 1, 1.0, 24};  // er_r2_k3_s1_e1_c24
    spec.stages.back().channels = 272;                              // ir_r15_k3_s2_e6_c272_se0.25
    spec.head_channels = 1792;
  }
  spec.channel_multiplier = channel_multiplier;
  spec.depth_multipliers = depth.size() == 1 ? std::vector<double>(spec.stages.size(), depth[0]) : depth;
  spec.stem_channels = 24;
  return spec;
}

EfficientNetSpec EfficientNetV1Spec(double channel_multiplier, double depth_multiplier) {
  EfficientNetSpec spec;
  spec.stages = EfficientNetV1Stages();
  spec.channel_multiplier = channel_multiplier;
  spec.depth_multipliers.assign(spec.stages.size(), depth_multiplier);
  return spec;
}

DataConfig Data(int size, double crop_pct) {
  DataConfig data;
  data.height = data.width = size;
  data.crop_pct = crop_pct;
  return data;
}

}  // namespace

std::vector<std::vector<EfficientNetBlockArgs>> EfficientNetBlockPlan(const EfficientNetSpec& spec,
                                                                      double drop_path_rate) {
  std::vector<int> repeats;
  int total = 0;
  for (size_t s = 0; s < spec.stages.size(); ++s) {
    // timm's _scale_stage_depth with depth_trunc 'ceil' (one block definition per stage).
    repeats.push_back(static_cast<int>(std::ceil(spec.stages[s].repeats * spec.depth_multipliers[s])));
    total += repeats.back();
  }
  std::vector<std::vector<EfficientNetBlockArgs>> plan;
  int in_channels = RoundChannels(spec.stem_channels, spec.channel_multiplier);
  int index = 0;
  for (size_t s = 0; s < spec.stages.size(); ++s) {
    const EfficientNetStageDef& def = spec.stages[s];
    std::vector<EfficientNetBlockArgs>& stage = plan.emplace_back();
    for (int b = 0; b < repeats[s]; ++b, ++index) {
      EfficientNetBlockArgs args;
      args.type = def.type;
      args.in_channels = in_channels;
      args.out_channels = RoundChannels(def.channels, spec.channel_multiplier);
      args.kernel_size = def.kernel_size;
      args.stride = b == 0 ? def.stride : 1;
      args.exp_ratio = def.exp_ratio;
      // timm's builder (se_from_exp=False): the ratio is relative to the block input, the SE
      // sits on the expanded width, so divide by the expansion ratio ("ds" has none: 1).
      args.se_ratio = def.se_ratio / def.exp_ratio;
      args.residual = def.residual;
      args.drop_path_rate = drop_path_rate * index / total;
      stage.push_back(args);
      in_channels = args.out_channels;
    }
  }
  return plan;
}

std::shared_ptr<ImageClassifier> MakeEfficientNet(const EfficientNetSpec& spec, const ModelOptions& options) {
  return std::make_shared<EfficientNet>(spec, options);
}

std::vector<ModelEntry> EfficientNetModels() {
  auto row = [](const std::string& name, DataConfig data, EfficientNetSpec spec) {
    ModelInfo info{name, "efficientnet", data, "classifier"};
    return ModelEntry{info, [spec](const ModelOptions& options) { return MakeEfficientNet(spec, options); }};
  };
  DataConfig b1 = Data(240, 0.9);
  b1.mean = b1.std = {0.5, 0.5, 0.5};  // timm's Inception mean/std for this checkpoint
  return {
      // name, timm pretrained_cfg (size, crop_pct), (channel, depth) multipliers
      row("efficientnet_b0", Data(224, 0.875), EfficientNetV1Spec(1.0, 1.0)),
      row("efficientnet_b1", b1, EfficientNetV1Spec(1.0, 1.1)),
      row("efficientnet_b2", Data(256, 0.875), EfficientNetV1Spec(1.1, 1.2)),
      row("efficientnet_b3", Data(288, 0.875), EfficientNetV1Spec(1.2, 1.4)),
      row("efficientnet_b4", Data(320, 0.875), EfficientNetV1Spec(1.4, 1.8)),
      row("efficientnet_b5", Data(448, 1.0), EfficientNetV1Spec(1.6, 2.2)),
      row("efficientnet_b6", Data(528, 0.942), EfficientNetV1Spec(1.8, 2.6)),
      row("efficientnet_b7", Data(600, 0.949), EfficientNetV1Spec(2.0, 3.1)),
      row("efficientnetv2_rw_t", Data(224, 1.0), EfficientNetV2SmallSpec(false, 0.8, {0.9})),
      row("efficientnetv2_rw_s", Data(288, 1.0), EfficientNetV2SmallSpec(true, 1.0, {1.0})),
      row("efficientnetv2_rw_m", Data(320, 1.0),
          EfficientNetV2SmallSpec(true, 1.2, {1.2, 1.2, 1.2, 1.2, 1.6, 1.6})),
  };
}

}  // namespace foldstack::trainer
