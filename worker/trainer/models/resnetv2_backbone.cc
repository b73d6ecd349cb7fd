#include "worker/trainer/models/resnetv2_backbone.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <utility>

namespace foldstack::trainer {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// TensorFlow "SAME" padding (timm's pad_same): output size ceil(size / stride), the odd
// pixel of padding going to the bottom / right.
at::Tensor PadSame(const at::Tensor& x, int64_t kernel, int64_t stride, double value) {
  auto total = [&](int64_t size) {
    return std::max<int64_t>(((size + stride - 1) / stride - 1) * stride + kernel - size, 0);
  };
  const int64_t pad_h = total(x.size(2));
  const int64_t pad_w = total(x.size(3));
  if (pad_h == 0 && pad_w == 0) return x;
  return at::constant_pad_nd(x, {pad_w / 2, pad_w - pad_w / 2, pad_h / 2, pad_h - pad_h / 2}, value);
}

// timm's StdConv2dSame(eps=1e-8), bias-free: each output filter is standardized to zero
// mean / unit (biased) variance on every call, then convolved with SAME padding. Stride 1
// with an odd kernel is SAME as plain symmetric padding, which the conv does itself.
class StdConv2dSameImpl : public nn::Conv2dImpl {
 public:
  StdConv2dSameImpl(int in_channels, int out_channels, int kernel, int stride)
      : nn::Conv2dImpl(nn::Conv2dOptions(in_channels, out_channels, kernel).stride(stride).bias(false)),
        kernel_(kernel),
        stride_(stride),
        static_pad_(stride == 1 ? (kernel - 1) / 2 : 0) {}

  torch::Tensor forward(const torch::Tensor& x) {
    // batch_norm over [1, out, fan_in] in training mode is the per-filter standardization.
    const at::Tensor standardized =
        at::batch_norm(weight.reshape({1, weight.size(0), -1}), /*weight=*/{}, /*bias=*/{},
                       /*running_mean=*/{}, /*running_var=*/{}, /*training=*/true, /*momentum=*/0.0,
                       /*eps=*/1e-8, /*cudnn_enabled=*/false)
            .reshape_as(weight);
    const at::Tensor padded = stride_ == 1 ? x : PadSame(x, kernel_, stride_, 0.0);
    return at::conv2d(padded, standardized, /*bias=*/{}, stride_, static_pad_);
  }

 private:
  int64_t kernel_;
  int64_t stride_;
  int64_t static_pad_;
};
TORCH_MODULE(StdConv2dSame);

// timm's GroupNormAct: GroupNorm(32 groups, eps 1e-5) then ReLU unless apply_act is false.
// A GroupNorm subclass so that the keys are norm.weight / norm.bias.
class GroupNormActImpl : public nn::GroupNormImpl {
 public:
  GroupNormActImpl(int channels, bool apply_act)
      : nn::GroupNormImpl(nn::GroupNormOptions(32, channels).eps(1e-5)), apply_act_(apply_act) {}

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = nn::GroupNormImpl::forward(x);
    return apply_act_ ? y.relu_() : y;
  }

 private:
  bool apply_act_;
};
TORCH_MODULE(GroupNormAct);

// timm's resnetv2.Bottleneck (non pre-activation) with DownsampleConv on the first block
// of a stage. Registration order = timm's: downsample, conv1, norm1, conv2, norm2, conv3, norm3.
class BottleneckImpl : public nn::Module {
 public:
  BottleneckImpl(int in_channels, int out_channels, int stride) {
    const int mid = out_channels / 4;
    if (stride != 1 || in_channels != out_channels) {
      downsample_ = register_module(
          "downsample", nn::Sequential({{"conv", StdConv2dSame(in_channels, out_channels, 1, stride)},
                                        {"norm", GroupNormAct(out_channels, /*apply_act=*/false)}}));
    }
    conv1_ = register_module("conv1", StdConv2dSame(in_channels, mid, 1, 1));
    norm1_ = register_module("norm1", GroupNormAct(mid, true));
    conv2_ = register_module("conv2", StdConv2dSame(mid, mid, 3, stride));
    norm2_ = register_module("norm2", GroupNormAct(mid, true));
    conv3_ = register_module("conv3", StdConv2dSame(mid, out_channels, 1, 1));
    norm3_ = register_module("norm3", GroupNormAct(out_channels, /*apply_act=*/false));
  }

  torch::Tensor forward(torch::Tensor x) {
    const torch::Tensor shortcut = downsample_ ? downsample_->forward(x) : x;
    x = norm1_->forward(conv1_->forward(x));
    x = norm2_->forward(conv2_->forward(x));
    x = norm3_->forward(conv3_->forward(x));
    return (x + shortcut).relu_();
  }

  // timm's zero_init_last: the residual branch starts at zero.
  void ZeroInitLast() { nn::init::zeros_(norm3_->weight); }

 private:
  nn::Sequential downsample_{nullptr};
  StdConv2dSame conv1_{nullptr};
  GroupNormAct norm1_{nullptr};
  StdConv2dSame conv2_{nullptr};
  GroupNormAct norm2_{nullptr};
  StdConv2dSame conv3_{nullptr};
  GroupNormAct norm3_{nullptr};
};
TORCH_MODULE(Bottleneck);

// 7x7/2 StdConv2dSame, GroupNormAct and a SAME 3x3/2 max pool (timm's 'same' stem type).
// Keys: conv.weight, norm.{weight,bias}.
class StemImpl : public nn::Module {
 public:
  explicit StemImpl(int width)
      : conv_(register_module("conv", StdConv2dSame(3, width, 7, 2))),
        norm_(register_module("norm", GroupNormAct(width, true))) {}

  torch::Tensor forward(const torch::Tensor& images) {
    const torch::Tensor x = norm_->forward(conv_->forward(images));
    return F::max_pool2d(PadSame(x, 3, 2, -std::numeric_limits<double>::infinity()),
                         F::MaxPool2dFuncOptions(3).stride(2));
  }

 private:
  StdConv2dSame conv_;
  GroupNormAct norm_;
};
TORCH_MODULE(Stem);

// timm's ResNetStage: only a "blocks" container.
class StageImpl : public nn::Module {
 public:
  explicit StageImpl(nn::Sequential blocks) : blocks_(register_module("blocks", std::move(blocks))) {}
  torch::Tensor forward(const torch::Tensor& x) { return blocks_->forward(x); }

 private:
  nn::Sequential blocks_;
};
TORCH_MODULE(Stage);

}  // namespace

ResNetV2BackboneImpl::ResNetV2BackboneImpl(const std::vector<int>& blocks_per_stage) {
  constexpr int kStemWidth = 64;
  stem_ = nn::AnyModule(register_module("stem", Stem(kStemWidth)));
  stages_ = register_module("stages", nn::Sequential());
  std::vector<Bottleneck> blocks;
  int in_channels = kStemWidth;
  for (size_t stage = 0; stage < blocks_per_stage.size(); ++stage) {
    const int channels = 256 << stage;
    const int stride = stage == 0 ? 1 : 2;
    nn::Sequential stage_blocks;
    for (int b = 0; b < blocks_per_stage[stage]; ++b) {
      blocks.push_back(Bottleneck(in_channels, channels, b == 0 ? stride : 1));
      stage_blocks->push_back(blocks.back());
      in_channels = channels;
    }
    stages_->push_back(std::to_string(stage), Stage(stage_blocks));
    reduction_ *= stride;
  }
  out_channels_ = in_channels;

  torch::NoGradGuard no_grad;
  for (const std::shared_ptr<nn::Module>& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
    }
  }
  for (Bottleneck& block : blocks) block->ZeroInitLast();
}

torch::Tensor ResNetV2BackboneImpl::forward(torch::Tensor images) {
  return stages_->forward(stem_.forward(images));
}

}  // namespace foldstack::trainer
