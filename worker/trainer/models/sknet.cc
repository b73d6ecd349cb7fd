#include "worker/trainer/models/sknet.h"

#include "worker/trainer/models/layers/make_divisible.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>

#include <algorithm>

#include "worker/trainer/models/resnet.h"

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;

constexpr int kNumPaths = 2;

// timm's ConvNormAct with a BatchNormAct2d: keys conv.weight, bn.*; ReLU when `act`.
class ConvNormAct : public nn::Module {
 public:
  ConvNormAct(int in_channels, int out_channels, int stride, int dilation, bool act)
      : conv_(register_module("conv", ResNetConv(in_channels, out_channels, 3, stride,
                                                 /*padding=*/((stride - 1) + 2 * dilation) / 2, dilation))),
        bn_(register_module("bn", ResNetNorm(out_channels))),
        act_(act) {}

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = bn_->forward(conv_->forward(x));
    return act_ ? y.relu_() : y;
  }

  nn::BatchNorm2d& bn() { return bn_; }

 private:
  nn::Conv2d conv_;
  nn::BatchNorm2d bn_;
  bool act_;
};

// timm's SelectiveKernelAttn: per-path, per-channel softmax weights [B, paths, C, 1, 1]
// from the globally pooled sum of the paths.
class SelectiveKernelAttn : public nn::Module {
 public:
  SelectiveKernelAttn(int channels, int attn_channels)
      : fc_reduce_(register_module("fc_reduce", ResNetConv(channels, attn_channels, 1, 1, 0))),
        bn_(register_module("bn", ResNetNorm(attn_channels))),
        fc_select_(register_module("fc_select", ResNetConv(attn_channels, channels * kNumPaths, 1, 1, 0))) {}

  torch::Tensor forward(const torch::Tensor& paths_sum) {
    torch::Tensor x = paths_sum.mean({2, 3}, /*keepdim=*/true);
    x = fc_select_->forward(bn_->forward(fc_reduce_->forward(x)).relu_());
    return x.view({x.size(0), kNumPaths, x.size(1) / kNumPaths, 1, 1}).softmax(1);
  }

 private:
  nn::Conv2d fc_reduce_;
  nn::BatchNorm2d bn_;
  nn::Conv2d fc_select_;
};

// timm's SelectiveKernel with kernel_size [3, 5] as 3x3 convs of dilation 1 and 2
// (keep_3x3), split_input, groups 1.
class SelectiveKernel : public nn::Module {
 public:
  SelectiveKernel(int in_channels, int out_channels, int stride, int attn_channels)
      : split_channels_(in_channels / kNumPaths) {
    for (int path = 0; path < kNumPaths; ++path) {
      paths_.push_back(std::make_shared<ConvNormAct>(split_channels_, out_channels, stride, /*dilation=*/path + 1,
                                                     /*act=*/true));
      path_list_->push_back(paths_.back());
    }
    register_module("paths", path_list_);
    attn_ = register_module("attn", std::make_shared<SelectiveKernelAttn>(out_channels, attn_channels));
  }

  // Equals timm's stack -> attn(sum over paths) -> weighted sum over paths, without the stack.
  torch::Tensor forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> inputs = x.split(split_channels_, 1);
    std::vector<torch::Tensor> outputs;
    for (int path = 0; path < kNumPaths; ++path) outputs.push_back(paths_[path]->forward(inputs[path]));
    torch::Tensor weights = attn_->forward(outputs[0] + outputs[1]);
    return outputs[0] * weights.select(1, 0) + outputs[1] * weights.select(1, 1);
  }

 private:
  int split_channels_;
  std::vector<std::shared_ptr<ConvNormAct>> paths_;
  nn::ModuleList path_list_;
  std::shared_ptr<SelectiveKernelAttn> attn_;
};

class SelectiveKernelBasic : public ResidualBlock {
 public:
  explicit SelectiveKernelBasic(const BlockArgs& args)
      : conv1_(register_module("conv1", std::make_shared<SelectiveKernel>(args.in_channels, args.planes, args.stride,
                                                                           MakeDivisible(args.planes / 8.0, 16)))),
        conv2_(register_module("conv2", std::make_shared<ConvNormAct>(args.planes, args.planes, 1, 1, false))),
        drop_path_rate_(args.drop_path_rate) {
    if (args.downsample) downsample_ = register_module("downsample", args.downsample);
  }

  torch::Tensor forward(torch::Tensor x) override {
    torch::Tensor y = conv2_->forward(conv1_->forward(x));
    return ResidualSum(y, x, downsample_, drop_path_rate_, is_training());
  }

  void ZeroInitLast() override { nn::init::zeros_(conv2_->bn()->weight); }

 private:
  std::shared_ptr<SelectiveKernel> conv1_;
  std::shared_ptr<ConvNormAct> conv2_;
  nn::Sequential downsample_{nullptr};
  double drop_path_rate_;
};

}  // namespace

std::shared_ptr<ResidualBlock> MakeSelectiveKernelBasic(const BlockArgs& args) {
  return std::make_shared<SelectiveKernelBasic>(args);
}

std::vector<ModelEntry> SkNetModels() {
  ResNetSpec spec{{2, 2, 2, 2}, MakeSelectiveKernelBasic, /*expansion=*/1};
  spec.zero_init_last = false;  // timm's skresnet18 sets zero_init_last=False
  ModelInfo info;
  info.name = "skresnet18";
  info.family = "sknet";
  info.data.crop_pct = 0.875;
  info.classifier = "fc";
  return {ModelEntry{info, [spec](const ModelOptions& options) { return MakeResNet(spec, options); }}};
}

}  // namespace foldstack::trainer
