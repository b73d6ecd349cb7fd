#include "worker/trainer/models/convnext.h"

#include "worker/trainer/models/layers/trunc_normal.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <string>

#include "worker/trainer/models/layers/drop_path.h"
#include "worker/trainer/models/layers/mlp.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;

constexpr double kLayerNormEps = 1e-6;

nn::LayerNorm LayerNorm(int channels) {
  return nn::LayerNorm(nn::LayerNormOptions({channels}).eps(kLayerNormEps));
}

// timm's LayerNorm2d: normalizes the channels of an NCHW tensor (via NHWC and back).
torch::Tensor LayerNorm2d(nn::LayerNorm& norm, const torch::Tensor& x) {
  return norm->forward(x.permute({0, 2, 3, 1})).permute({0, 3, 1, 2});
}

// A patchifying conv paired with a LayerNorm2d, as nn.Sequential keys "0" and "1":
// the stem is conv -> norm, each stage's downsample norm -> conv.
class NormConvPairImpl : public nn::Module {
 public:
  NormConvPairImpl(int in_channels, int out_channels, int kernel, bool norm_first) : norm_first_(norm_first) {
    conv_ = nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel).stride(kernel));
    norm_ = LayerNorm(norm_first ? in_channels : out_channels);
    if (norm_first) {
      register_module("0", norm_);
      register_module("1", conv_);
    } else {
      register_module("0", conv_);
      register_module("1", norm_);
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    return norm_first_ ? conv_->forward(LayerNorm2d(norm_, x)) : LayerNorm2d(norm_, conv_->forward(x));
  }

 private:
  bool norm_first_;
  nn::Conv2d conv_{nullptr};
  nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(NormConvPair);

// timm's ConvNeXtBlock: depthwise 7x7 -> (NHWC) LayerNorm -> Mlp (GELU, 4x) -> * gamma,
// then drop_path and the identity shortcut.
class ConvNextBlockImpl : public nn::Module {
 public:
  ConvNextBlockImpl(int channels, double layer_scale_init, double drop_path_rate)
      : drop_path_rate_(drop_path_rate) {
    // Own parameter first, as in timm's state dict.
    gamma_ = register_parameter("gamma", torch::full({channels}, layer_scale_init));
    conv_dw_ = register_module(
        "conv_dw", nn::Conv2d(nn::Conv2dOptions(channels, channels, 7).padding(3).groups(channels)));
    norm_ = register_module("norm", LayerNorm(channels));
    mlp_ = register_module("mlp", Mlp(channels, 4 * channels));
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor y = norm_->forward(conv_dw_->forward(x).permute({0, 2, 3, 1}));
    // Layer scale on the channels-last tensor (same products as timm's NCHW multiply).
    y = (mlp_->forward(y) * gamma_).permute({0, 3, 1, 2});
    return DropPath(y, drop_path_rate_, is_training()) + x;
  }

 private:
  double drop_path_rate_;
  torch::Tensor gamma_;
  nn::Conv2d conv_dw_{nullptr};
  nn::LayerNorm norm_{nullptr};
  Mlp mlp_{nullptr};
};
TORCH_MODULE(ConvNextBlock);

// timm's ConvNeXtStage: optional downsample (norm -> 2x2/2 conv), then blocks.
class ConvNextStageImpl : public nn::Module {
 public:
  ConvNextStageImpl(int in_channels, int out_channels, int depth, double layer_scale_init,
                    const double* drop_path_rates) {
    if (in_channels != out_channels) {
      downsample_ =
          register_module("downsample", NormConvPair(in_channels, out_channels, 2, /*norm_first=*/true));
    }
    blocks_ = register_module("blocks", nn::Sequential());
    for (int b = 0; b < depth; ++b) {
      blocks_->push_back(ConvNextBlock(out_channels, layer_scale_init, drop_path_rates[b]));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    if (downsample_) x = downsample_->forward(x);
    return blocks_->forward(x);
  }

 private:
  NormConvPair downsample_{nullptr};
  nn::Sequential blocks_{nullptr};
};
TORCH_MODULE(ConvNextStage);

// timm's NormMlpClassifierHead without hidden layer: pool -> LayerNorm -> dropout -> fc.
class NormFcHeadImpl : public nn::Module {
 public:
  NormFcHeadImpl(int features, int num_classes, double drop_rate)
      : norm_(register_module("norm", LayerNorm(features))),
        fc_(register_module("fc", nn::Linear(features, num_classes))),
        drop_rate_(drop_rate) {}

  torch::Tensor forward(torch::Tensor x) {
    // A LayerNorm2d over [N, C, 1, 1] is a LayerNorm over the pooled [N, C].
    x = norm_->forward(x.mean({2, 3}));
    return fc_->forward(at::dropout(x, drop_rate_, is_training()));
  }

 private:
  nn::LayerNorm norm_;
  nn::Linear fc_;
  double drop_rate_;
};
TORCH_MODULE(NormFcHead);

class ConvNext : public ImageClassifier {
 public:
  ConvNext(const ConvNextSpec& spec, const ModelOptions& options) : num_classes_(options.num_classes) {
    stem_ = register_module("stem", NormConvPair(3, spec.dims[0], 4, /*norm_first=*/false));
    const std::vector<double> rates = DropPathRates(
        options.drop_path_rate, spec.depths[0] + spec.depths[1] + spec.depths[2] + spec.depths[3]);
    stages_ = register_module("stages", nn::Sequential());
    int in_channels = spec.dims[0];
    size_t first_block = 0;
    for (int s = 0; s < 4; ++s) {
      stages_->push_back(ConvNextStage(in_channels, spec.dims[s], spec.depths[s], spec.layer_scale_init,
                                       &rates[first_block]));
      first_block += spec.depths[s];
      in_channels = spec.dims[s];
    }
    head_ = register_module("head", NormFcHead(in_channels, options.num_classes, options.drop_rate));
    InitWeights();
  }

  torch::Tensor forward(torch::Tensor x) override {
    return head_->forward(stages_->forward(stem_->forward(x)));
  }

  int num_classes() const override { return num_classes_; }

 private:
  // timm: conv and linear weights trunc_normal(std .02, cut at +-2 absolute), biases zero;
  // LayerNorms keep weight 1 / bias 0.
  void InitWeights() {
    torch::NoGradGuard no_grad;
    auto trunc_normal = [](torch::Tensor& weight) { TruncNormal(weight, 0.02); };
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<nn::Conv2d>()) {
        trunc_normal(conv->weight);
        nn::init::zeros_(conv->bias);
      } else if (auto* linear = module->as<nn::Linear>()) {
        trunc_normal(linear->weight);
        nn::init::zeros_(linear->bias);
      }
    }
  }

  int num_classes_;
  NormConvPair stem_{nullptr};
  nn::Sequential stages_{nullptr};
  NormFcHead head_{nullptr};
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeConvNext(const ConvNextSpec& spec, const ModelOptions& options) {
  return std::make_shared<ConvNext>(spec, options);
}

std::vector<ModelEntry> ConvNextModels() {
  ModelInfo info;
  info.name = "convnext_tiny";
  info.family = "convnext";
  info.data.crop_pct = 0.95;  // the default tag, in12k_ft_in1k
  info.classifier = "head.fc";
  return {
      ModelEntry{info, [](const ModelOptions& options) { return MakeConvNext(ConvNextSpec{}, options); }}};
}

}  // namespace foldstack::trainer
