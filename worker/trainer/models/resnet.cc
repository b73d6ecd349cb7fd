#include "worker/trainer/models/resnet.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include <string>
#include <utility>

#include "worker/trainer/models/layers/channels_last.h"
#include "worker/trainer/models/layers/drop_path.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// timm's downsample_conv / downsample_avg with down_kernel_size 1 and no dilation.
nn::Sequential Downsample(int in_channels, int out_channels, int stride, bool avg_down) {
  if (!avg_down) return nn::Sequential(ResNetConv(in_channels, out_channels, 1, stride, 0), ResNetNorm(out_channels));
  nn::Sequential downsample;
  if (stride == 1) {
    downsample->push_back(nn::Identity());
  } else {
    downsample->push_back(
        nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(stride).ceil_mode(true).count_include_pad(false)));
  }
  downsample->push_back(ResNetConv(in_channels, out_channels, 1, 1, 0));
  downsample->push_back(ResNetNorm(out_channels));
  return downsample;
}

class ResNet : public ImageClassifier {
 public:
  ResNet(const ResNetSpec& spec, const ModelOptions& options)
      : num_classes_(options.num_classes), drop_rate_(options.drop_rate) {
    int in_channels = 64;
    if (spec.deep_stem) {
      const int w = spec.stem_width;
      in_channels = 2 * w;
      const nn::ReLU relu(nn::ReLUOptions(/*inplace=*/true));
      deep_stem_ = register_module("conv1", nn::Sequential(ResNetConv(3, w, 3, 2, 1), ResNetNorm(w), relu,
                                                           ResNetConv(w, w, 3, 1, 1), ResNetNorm(w), relu,
                                                           ResNetConv(w, in_channels, 3, 1, 1)));
    } else {
      conv1_ = register_module("conv1", ResNetConv(3, in_channels, 7, 2, 3));
    }
    bn1_ = register_module("bn1", ResNetNorm(in_channels));

    int total_blocks = 0;
    for (int count : spec.blocks_per_layer) total_blocks += count;
    const std::vector<double> drop_path_rates = DropPathRates(options.drop_path_rate, total_blocks);
    int block_index = 0;
    for (size_t stage = 0; stage < spec.blocks_per_layer.size(); ++stage) {
      nn::ModuleList layer;
      BlockArgs args;
      args.planes = 64 << stage;  // 64, 128, 256, 512
      args.cardinality = spec.cardinality;
      args.base_width = spec.base_width;
      for (int b = 0; b < spec.blocks_per_layer[stage]; ++b) {
        args.in_channels = in_channels;
        args.stride = (stage > 0 && b == 0) ? 2 : 1;
        const int out_channels = args.planes * spec.expansion;
        args.downsample = nullptr;
        if (args.stride != 1 || in_channels != out_channels) {
          args.downsample = Downsample(in_channels, out_channels, args.stride, spec.avg_down);
        }
        args.drop_path_rate = drop_path_rates[block_index++];
        std::shared_ptr<ResidualBlock> block = spec.block(args);
        layer->push_back(block);
        blocks_.push_back(std::move(block));
        in_channels = out_channels;
      }
      register_module("layer" + std::to_string(stage + 1), layer);
    }
    fc_ = register_module("fc", nn::Linear(in_channels, num_classes_));
    InitWeights(spec.zero_init_last);
    UseChannelsLastWeights(*this);
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = ChannelsLastInput(x);  // see layers/channels_last.h
    x = bn1_->forward(deep_stem_ ? deep_stem_->forward(x) : conv1_->forward(x)).relu_();
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1));
    for (const std::shared_ptr<ResidualBlock>& block : blocks_) x = block->forward(x);
    x = x.mean({2, 3});  // global average pool + flatten
    if (drop_rate_ > 0.0) x = F::dropout(x, F::DropoutFuncOptions().p(drop_rate_).training(is_training()));
    return fc_->forward(x);
  }

  int num_classes() const override { return num_classes_; }

 private:
  void InitWeights(bool zero_init_last) {
    torch::NoGradGuard no_grad;
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<nn::Conv2d>()) {
        nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
      } else if (auto* norm = module->as<nn::BatchNorm2d>()) {
        nn::init::ones_(norm->weight);
        nn::init::zeros_(norm->bias);
      }
    }
    if (!zero_init_last) return;
    for (const std::shared_ptr<ResidualBlock>& block : blocks_) block->ZeroInitLast();
  }

  int num_classes_;
  double drop_rate_;
  // "conv1" is one 7x7 conv, or with a deep stem a Sequential of three 3x3 convs.
  nn::Conv2d conv1_{nullptr};
  nn::Sequential deep_stem_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  std::vector<std::shared_ptr<ResidualBlock>> blocks_;  // layer1..layer4 flattened, in order
  nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeResNet(const ResNetSpec& spec, const ModelOptions& options) {
  return std::make_shared<ResNet>(spec, options);
}

std::vector<ModelEntry> ResNetModels() {
  auto row = [](const std::string& name, double crop_pct, ResNetSpec spec) {
    ModelInfo info;
    info.name = name;
    info.family = "resnet";
    info.data.crop_pct = crop_pct;
    info.classifier = "fc";
    return ModelEntry{info, [spec](const ModelOptions& options) { return MakeResNet(spec, options); }};
  };
  auto basic = [](std::vector<int> blocks) { return ResNetSpec{std::move(blocks), MakeBasicBlock, 1}; };
  auto bottleneck = [](std::vector<int> blocks) { return ResNetSpec{std::move(blocks), MakeBottleneck, 4}; };
  // timm's "d" variants: deep stem of width 32 and average-pool shortcuts.
  auto d_variant = [](ResNetSpec spec) {
    spec.deep_stem = true;
    spec.stem_width = 32;
    spec.avg_down = true;
    return spec;
  };
  ResNetSpec resnext50 = bottleneck({3, 4, 6, 3});
  resnext50.cardinality = 32;
  resnext50.base_width = 4;
  return {
      row("resnet18", 0.95, basic({2, 2, 2, 2})),
      row("resnet26", 0.875, bottleneck({2, 2, 2, 2})),
      row("resnet34", 0.95, basic({3, 4, 6, 3})),
      row("resnet50", 0.95, bottleneck({3, 4, 6, 3})),
      row("resnet101", 0.95, bottleneck({3, 4, 23, 3})),
      row("resnet152", 0.95, bottleneck({3, 8, 36, 3})),
      row("resnet18d", 0.875, d_variant(basic({2, 2, 2, 2}))),
      row("resnet26d", 0.875, d_variant(bottleneck({2, 2, 2, 2}))),
      row("resnet34d", 0.875, d_variant(basic({3, 4, 6, 3}))),
      row("resnext50_32x4d", 0.95, resnext50),
  };
}

}  // namespace foldstack::trainer
