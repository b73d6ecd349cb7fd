#include "worker/trainer/models/resnet_blocks.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

#include <cmath>

#include "worker/trainer/models/layers/drop_path.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// Registration order == timm's attribute order (conv1, bn1, conv2, bn2, downsample), which
// fixes the state-dict order. act1/act2 are stateless ReLUs applied functionally.
class BasicBlock : public ResidualBlock {
 public:
  explicit BasicBlock(const BlockArgs& args)
      : conv1_(register_module("conv1", ResNetConv(args.in_channels, args.planes, 3, args.stride, 1))),
        bn1_(register_module("bn1", ResNetNorm(args.planes))),
        conv2_(register_module("conv2", ResNetConv(args.planes, args.planes, 3, 1, 1))),
        bn2_(register_module("bn2", ResNetNorm(args.planes))),
        drop_path_rate_(args.drop_path_rate) {
    if (args.downsample) downsample_ = register_module("downsample", args.downsample);
  }

  torch::Tensor forward(torch::Tensor x) override {
    torch::Tensor y = bn1_->forward(conv1_->forward(x)).relu_();
    y = bn2_->forward(conv2_->forward(y));
    return ResidualSum(y, x, downsample_, drop_path_rate_, is_training());
  }

  void ZeroInitLast() override { nn::init::zeros_(bn2_->weight); }

 private:
  nn::Conv2d conv1_;
  nn::BatchNorm2d bn1_;
  nn::Conv2d conv2_;
  nn::BatchNorm2d bn2_;
  nn::Sequential downsample_{nullptr};
  double drop_path_rate_;
};

class Bottleneck : public ResidualBlock {
 public:
  static constexpr int kExpansion = 4;

  explicit Bottleneck(const BlockArgs& args) : drop_path_rate_(args.drop_path_rate) {
    const int width =
        static_cast<int>(std::floor(args.planes * (args.base_width / 64.0))) * args.cardinality;
    const int out_channels = args.planes * kExpansion;
    conv1_ = register_module("conv1", ResNetConv(args.in_channels, width, 1, 1, 0));
    bn1_ = register_module("bn1", ResNetNorm(width));
    conv2_ = register_module("conv2", ResNetConv(width, width, 3, args.stride, 1, 1, args.cardinality));
    bn2_ = register_module("bn2", ResNetNorm(width));
    conv3_ = register_module("conv3", ResNetConv(width, out_channels, 1, 1, 0));
    bn3_ = register_module("bn3", ResNetNorm(out_channels));
    if (args.downsample) downsample_ = register_module("downsample", args.downsample);
  }

  torch::Tensor forward(torch::Tensor x) override {
    torch::Tensor y = bn1_->forward(conv1_->forward(x)).relu_();
    y = bn2_->forward(conv2_->forward(y)).relu_();
    y = bn3_->forward(conv3_->forward(y));
    return ResidualSum(y, x, downsample_, drop_path_rate_, is_training());
  }

  void ZeroInitLast() override { nn::init::zeros_(bn3_->weight); }

 private:
  nn::Conv2d conv1_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  nn::Conv2d conv2_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
  nn::Conv2d conv3_{nullptr};
  nn::BatchNorm2d bn3_{nullptr};
  nn::Sequential downsample_{nullptr};
  double drop_path_rate_;
};

}  // namespace

nn::Conv2d ResNetConv(int in_channels, int out_channels, int kernel, int stride, int padding, int dilation,
                      int groups) {
  return nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel)
                        .stride(stride)
                        .padding(padding)
                        .dilation(dilation)
                        .groups(groups)
                        .bias(false));
}

nn::BatchNorm2d ResNetNorm(int channels) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).eps(1e-5).momentum(0.1));
}

std::shared_ptr<ResidualBlock> MakeBasicBlock(const BlockArgs& args) { return std::make_shared<BasicBlock>(args); }

std::shared_ptr<ResidualBlock> MakeBottleneck(const BlockArgs& args) { return std::make_shared<Bottleneck>(args); }

torch::Tensor ResidualSum(torch::Tensor branch, const torch::Tensor& x, nn::Sequential& downsample,
                          double drop_path_rate, bool training) {
  branch = DropPath(branch, drop_path_rate, training);
  if (downsample) return branch.add_(downsample->forward(x)).relu_();
  return branch.add_(x).relu_();
}

}  // namespace foldstack::trainer
