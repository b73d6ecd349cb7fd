#include "worker/trainer/models/resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <string>

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d Conv(int in_channels, int out_channels, int kernel, int stride, int padding) {
  return nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel)
                        .stride(stride)
                        .padding(padding)
                        .bias(false));
}

// PyTorch's (and timm's) BatchNorm defaults.
nn::BatchNorm2d Norm(int channels) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).eps(1e-5).momentum(0.1));
}

// timm's BasicBlock (expansion 1). Registration order == timm's attribute
// order, which fixes the state-dict order: conv1, bn1, conv2, bn2, downsample.
// act1/act2 are stateless ReLUs and are applied functionally.
class BasicBlock : public nn::Module {
 public:
  BasicBlock(int in_channels, int channels, int stride)
      : conv1_(register_module("conv1", Conv(in_channels, channels, 3, stride, 1))),
        bn1_(register_module("bn1", Norm(channels))),
        conv2_(register_module("conv2", Conv(channels, channels, 3, 1, 1))),
        bn2_(register_module("bn2", Norm(channels))) {
    if (stride != 1 || in_channels != channels) {
      downsample_ = register_module(
          "downsample", nn::Sequential(Conv(in_channels, channels, 1, stride, 0), Norm(channels)));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor shortcut = downsample_ ? downsample_->forward(x) : x;
    torch::Tensor y = F::relu(bn1_->forward(conv1_->forward(x)));
    y = bn2_->forward(conv2_->forward(y));
    return F::relu(y + shortcut);
  }

  // timm's zero_init_last: each residual branch starts as the identity.
  void ZeroInitLast() { nn::init::zeros_(bn2_->weight); }

 private:
  nn::Conv2d conv1_;
  nn::BatchNorm2d bn1_;
  nn::Conv2d conv2_;
  nn::BatchNorm2d bn2_;
  nn::Sequential downsample_{nullptr};
};

class BasicBlockResNet : public ImageClassifier {
 public:
  BasicBlockResNet(const ResNetSpec& spec, int num_classes) : num_classes_(num_classes) {
    constexpr int kStemWidth = 64;
    conv1_ = register_module("conv1", Conv(3, kStemWidth, 7, 2, 3));
    bn1_ = register_module("bn1", Norm(kStemWidth));
    int in_channels = kStemWidth;
    for (size_t stage = 0; stage < spec.blocks_per_layer.size(); ++stage) {
      const int channels = kStemWidth << stage;  // 64, 128, 256, 512
      const int first_stride = stage == 0 ? 1 : 2;
      nn::Sequential layer;
      for (int b = 0; b < spec.blocks_per_layer[stage]; ++b) {
        auto block = std::make_shared<BasicBlock>(in_channels, channels, b == 0 ? first_stride : 1);
        blocks_.push_back(block);
        layer->push_back(block);
        in_channels = channels;
      }
      layers_.push_back(register_module("layer" + std::to_string(stage + 1), layer));
    }
    fc_ = register_module("fc", nn::Linear(in_channels, num_classes));
    InitWeights();
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = F::relu(bn1_->forward(conv1_->forward(x)));
    x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1));
    for (nn::Sequential& layer : layers_) x = layer->forward(x);
    x = x.mean({2, 3});  // global average pool + flatten
    return fc_->forward(x);
  }

  int num_classes() const override { return num_classes_; }

 private:
  void InitWeights() {
    torch::NoGradGuard no_grad;
    for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<nn::Conv2d>()) {
        nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
      } else if (auto* norm = module->as<nn::BatchNorm2d>()) {
        nn::init::ones_(norm->weight);
        nn::init::zeros_(norm->bias);
      }
    }
    for (const std::shared_ptr<BasicBlock>& block : blocks_) block->ZeroInitLast();
  }

  int num_classes_;
  nn::Conv2d conv1_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  std::vector<nn::Sequential> layers_;
  std::vector<std::shared_ptr<BasicBlock>> blocks_;
  nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<ImageClassifier> MakeBasicBlockResNet(const ResNetSpec& spec, int num_classes) {
  return std::make_shared<BasicBlockResNet>(spec, num_classes);
}

std::vector<ModelEntry> ResNetModels() {
  auto row = [](const std::string& name, std::vector<int> blocks) {
    ModelInfo info;
    info.name = name;
    info.family = "resnet";
    info.data.crop_pct = 0.95;
    info.classifier = "fc";
    return ModelEntry{info, [blocks](const ModelOptions& options) {
                        return MakeBasicBlockResNet({blocks}, options.num_classes);
                      }};
  };
  return {row("resnet18", {2, 2, 2, 2}), row("resnet34", {3, 4, 6, 3})};
}

}  // namespace foldstack::trainer
