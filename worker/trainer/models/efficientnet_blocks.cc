#include "worker/trainer/models/efficientnet_blocks.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <cmath>

#include "worker/trainer/models/layers/drop_path.h"

namespace foldstack::trainer {

namespace nn = torch::nn;

nn::Conv2d EfficientNetConv(int in_channels, int out_channels, int kernel, int stride, int groups) {
  return nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel)
                        .stride(stride)
                        .padding(((stride - 1) + (kernel - 1)) / 2)
                        .groups(groups)
                        .bias(false));
}

namespace {

nn::BatchNorm2d Norm(int channels) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).eps(1e-5).momentum(0.1));
}

// In place when no graph is being recorded (inference), out of place otherwise so that
// autograd keeps SiLU's input.
torch::Tensor Silu(torch::Tensor x) {
  return torch::GradMode::is_enabled() ? at::silu(x) : at::silu_(x);
}

// Shared residual logic: forward = branch (+ stochastic-depth shortcut when has_skip).
class ResidualBlock : public EfficientNetBlock {
 public:
  explicit ResidualBlock(const EfficientNetBlockArgs& args)
      : has_skip_(args.residual && args.stride == 1 && args.in_channels == args.out_channels),
        drop_path_rate_(args.drop_path_rate) {}

  torch::Tensor forward(torch::Tensor x) final {
    torch::Tensor y = Branch(x);
    if (!has_skip_) return y;
    // In place, as timm does: the branch ends in a BatchNorm (or DropPath's product), whose
    // backward needs its input, not its output.
    return DropPath(y, drop_path_rate_, is_training()).add_(x);
  }

 protected:
  virtual torch::Tensor Branch(const torch::Tensor& x) = 0;

  // The SE module when the block has one (registered at the caller's point in timm's order).
  void MaybeRegisterSe(int channels, double ratio) {
    if (ratio > 0.0) se_ = register_module("se", SqueezeExcite(channels, ratio));
  }
  torch::Tensor MaybeSe(const torch::Tensor& x) { return se_ ? se_->forward(x) : x; }

 private:
  bool has_skip_;
  double drop_path_rate_;
  SqueezeExcite se_{nullptr};
};

class ConvBnAct : public ResidualBlock {
 public:
  explicit ConvBnAct(const EfficientNetBlockArgs& a)
      : ResidualBlock(a),
        conv_(register_module("conv", EfficientNetConv(a.in_channels, a.out_channels, a.kernel_size, a.stride))),
        bn1_(register_module("bn1", Norm(a.out_channels))) {}

 protected:
  torch::Tensor Branch(const torch::Tensor& x) override { return BatchNormSilu(bn1_, conv_->forward(x)); }

 private:
  nn::Conv2d conv_;
  nn::BatchNorm2d bn1_;
};

class DepthwiseSeparable : public ResidualBlock {
 public:
  explicit DepthwiseSeparable(const EfficientNetBlockArgs& a)
      : ResidualBlock(a),
        conv_dw_(register_module(
            "conv_dw", EfficientNetConv(a.in_channels, a.in_channels, a.kernel_size, a.stride, a.in_channels))),
        bn1_(register_module("bn1", Norm(a.in_channels))) {
    MaybeRegisterSe(a.in_channels, a.se_ratio);
    conv_pw_ = register_module("conv_pw", EfficientNetConv(a.in_channels, a.out_channels, 1));
    bn2_ = register_module("bn2", Norm(a.out_channels));
  }

 protected:
  torch::Tensor Branch(const torch::Tensor& x) override {
    torch::Tensor y = MaybeSe(BatchNormSilu(bn1_, conv_dw_->forward(x)));
    return BatchNormSilu(bn2_, conv_pw_->forward(y), /*act=*/false);  // timm's pw_act=False
  }

 private:
  nn::Conv2d conv_dw_;
  nn::BatchNorm2d bn1_;
  nn::Conv2d conv_pw_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
};

class InvertedResidual : public ResidualBlock {
 public:
  explicit InvertedResidual(const EfficientNetBlockArgs& a) : ResidualBlock(a) {
    const int mid = MakeDivisible(a.in_channels * a.exp_ratio);
    conv_pw_ = register_module("conv_pw", EfficientNetConv(a.in_channels, mid, 1));
    bn1_ = register_module("bn1", Norm(mid));
    conv_dw_ = register_module("conv_dw", EfficientNetConv(mid, mid, a.kernel_size, a.stride, mid));
    bn2_ = register_module("bn2", Norm(mid));
    MaybeRegisterSe(mid, a.se_ratio);
    conv_pwl_ = register_module("conv_pwl", EfficientNetConv(mid, a.out_channels, 1));
    bn3_ = register_module("bn3", Norm(a.out_channels));
  }

 protected:
  torch::Tensor Branch(const torch::Tensor& x) override {
    torch::Tensor y = BatchNormSilu(bn1_, conv_pw_->forward(x));
    y = MaybeSe(BatchNormSilu(bn2_, conv_dw_->forward(y)));
    return BatchNormSilu(bn3_, conv_pwl_->forward(y), /*act=*/false);
  }

 private:
  nn::Conv2d conv_pw_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  nn::Conv2d conv_dw_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
  nn::Conv2d conv_pwl_{nullptr};
  nn::BatchNorm2d bn3_{nullptr};
};

class EdgeResidual : public ResidualBlock {
 public:
  explicit EdgeResidual(const EfficientNetBlockArgs& a) : ResidualBlock(a) {
    const int mid = MakeDivisible(a.in_channels * a.exp_ratio);
    conv_exp_ = register_module("conv_exp", EfficientNetConv(a.in_channels, mid, a.kernel_size, a.stride));
    bn1_ = register_module("bn1", Norm(mid));
    MaybeRegisterSe(mid, a.se_ratio);
    conv_pwl_ = register_module("conv_pwl", EfficientNetConv(mid, a.out_channels, 1));
    bn2_ = register_module("bn2", Norm(a.out_channels));
  }

 protected:
  torch::Tensor Branch(const torch::Tensor& x) override {
    torch::Tensor y = MaybeSe(BatchNormSilu(bn1_, conv_exp_->forward(x)));
    return BatchNormSilu(bn2_, conv_pwl_->forward(y), /*act=*/false);
  }

 private:
  nn::Conv2d conv_exp_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  nn::Conv2d conv_pwl_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
};

}  // namespace

torch::Tensor BatchNormSilu(nn::BatchNorm2d& norm, const torch::Tensor& x, bool act) {
  torch::Tensor y = norm->forward(x);
  return act ? Silu(y) : y;
}

SqueezeExciteImpl::SqueezeExciteImpl(int channels, double ratio) {
  // Python's round(): half to even, which nearbyint gives in the default rounding mode.
  const int reduced = static_cast<int>(std::nearbyint(channels * ratio));
  conv_reduce_ = register_module("conv_reduce", nn::Conv2d(nn::Conv2dOptions(channels, reduced, 1)));
  conv_expand_ = register_module("conv_expand", nn::Conv2d(nn::Conv2dOptions(reduced, channels, 1)));
}

torch::Tensor SqueezeExciteImpl::forward(const torch::Tensor& x) {
  torch::Tensor gate = conv_expand_->forward(Silu(conv_reduce_->forward(x.mean({2, 3}, /*keepdim=*/true))));
  return x * gate.sigmoid();
}

std::shared_ptr<EfficientNetBlock> MakeEfficientNetBlock(const EfficientNetBlockArgs& args) {
  switch (args.type) {
    case EfficientNetBlockType::kConvBnAct:
      return std::make_shared<ConvBnAct>(args);
    case EfficientNetBlockType::kDepthwiseSeparable:
      return std::make_shared<DepthwiseSeparable>(args);
    case EfficientNetBlockType::kInvertedResidual:
      return std::make_shared<InvertedResidual>(args);
    case EfficientNetBlockType::kEdgeResidual:
      return std::make_shared<EdgeResidual>(args);
  }
  return nullptr;
}

}  // namespace foldstack::trainer
