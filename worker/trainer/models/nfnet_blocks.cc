#include "worker/trainer/models/nfnet_blocks.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <algorithm>
#include <cmath>

#include "worker/trainer/models/layers/drop_path.h"

namespace foldstack::trainer {

namespace nn = torch::nn;

torch::Tensor NfActivation::operator()(const torch::Tensor& x) const {
  torch::Tensor y = kind == Kind::kSilu ? at::silu(x) : at::gelu(x);
  return gamma == 1.0 ? y : y.mul_(gamma);
}

double NfActivation::GammaFor(Kind kind) {
  // From DeepMind's nfnets code, as listed in timm's _nonlin_gamma.
  return kind == Kind::kSilu ? 1.7881293296813965 : 1.7015043497085571;
}

// --- ScaledStdConv2d ---------------------------------------------------------

ScaledStdConv2dImpl::ScaledStdConv2dImpl(const ScaledStdConvOptions& options) : options_(options) {
  const int k = options.kernel;
  weight = register_parameter(
      "weight", torch::empty({options.out_channels, options.in_channels / options.groups, k, k}));
  bias = register_parameter("bias", torch::empty({options.out_channels}));
  gain = register_parameter("gain", torch::empty({options.out_channels, 1, 1, 1}));
  const int64_t fan_in = weight[0].numel();
  scale_ = options.gamma / std::sqrt(static_cast<double>(fan_in));
  // timm's get_padding / get_padding_value("same"): "SAME" is static only at stride 1.
  dynamic_same_pad_ = options.same_padding && options.stride > 1;
  static_padding_ = dynamic_same_pad_ ? 0 : ((options.stride - 1) + (k - 1)) / 2;
  if (options.same_padding && options.stride == 1) static_padding_ = (k - 1) / 2;
  ResetParameters();
}

void ScaledStdConv2dImpl::ResetParameters() {
  torch::NoGradGuard no_grad;
  nn::init::kaiming_normal_(weight, /*a=*/0.0, torch::kFanIn, torch::kLinear);
  nn::init::zeros_(bias);
  nn::init::constant_(gain, options_.gain_init);
}

torch::Tensor ScaledStdConv2dImpl::forward(torch::Tensor x) {
  if (dynamic_same_pad_) {
    // TF "SAME": total padding so that out = ceil(in / stride), the odd pixel on the far side.
    auto pad_for = [&](int64_t in) {
      const int64_t s = options_.stride;
      return std::max<int64_t>((((in + s - 1) / s) - 1) * s + options_.kernel - in, 0);
    };
    const int64_t pad_h = pad_for(x.size(-2));
    const int64_t pad_w = pad_for(x.size(-1));
    if (pad_h > 0 || pad_w > 0) {
      x = at::constant_pad_nd(x, {pad_w / 2, pad_w - pad_w / 2, pad_h / 2, pad_h - pad_h / 2}, 0);
    }
  }
  // Weight standardization as timm does it: a training-mode batch norm over each output
  // channel's fan-in, with gain * scale as the affine weight.
  const torch::Tensor standardized =
      at::batch_norm(weight.reshape({1, options_.out_channels, -1}), (gain * scale_).view(-1),
                     /*bias=*/{}, /*running_mean=*/{}, /*running_var=*/{}, /*training=*/true,
                     /*momentum=*/0.0, options_.eps, /*cudnn_enabled=*/true)
          .reshape_as(weight);
  return at::conv2d(x, standardized, bias, options_.stride, static_padding_, /*dilation=*/1, options_.groups);
}

// --- attention ----------------------------------------------------------------

NfSqueezeExciteImpl::NfSqueezeExciteImpl(int channels, double rd_ratio, int rd_divisor) {
  const int reduced = MakeDivisible(channels * rd_ratio, rd_divisor, /*round_limit=*/0.0);
  fc1_ = register_module("fc1", nn::Conv2d(nn::Conv2dOptions(channels, reduced, 1)));
  fc2_ = register_module("fc2", nn::Conv2d(nn::Conv2dOptions(reduced, channels, 1)));
}

torch::Tensor NfSqueezeExciteImpl::forward(torch::Tensor x) {
  torch::Tensor s = fc2_->forward(at::relu(fc1_->forward(x.mean({2, 3}, /*keepdim=*/true))));
  return x * at::sigmoid(s);
}

namespace {

// ECA's adaptive kernel: the odd number nearest above |log2(C) + 1| / 2, at least 3.
int EcaKernelSize(int channels) {
  const int t = static_cast<int>(std::abs(std::log2(static_cast<double>(channels)) + 1.0) / 2.0);
  return std::max(t % 2 ? t : t + 1, 3);
}

}  // namespace

EfficientChannelAttnImpl::EfficientChannelAttnImpl(int channels) {
  const int k = EcaKernelSize(channels);
  conv_ = register_module("conv", nn::Conv1d(nn::Conv1dOptions(1, 1, k).padding((k - 1) / 2).bias(false)));
}

torch::Tensor EfficientChannelAttnImpl::forward(torch::Tensor x) {
  const int64_t n = x.size(0);
  torch::Tensor y = conv_->forward(x.mean({2, 3}).view({n, 1, -1}));
  return x * at::sigmoid(y).view({n, -1, 1, 1});
}

// --- blocks -------------------------------------------------------------------

DownsampleAvgImpl::DownsampleAvgImpl(const ScaledStdConvOptions& conv, int stride) : stride_(stride) {
  conv_ = register_module("conv", ScaledStdConv2d(conv));
}

torch::Tensor DownsampleAvgImpl::forward(torch::Tensor x) {
  if (stride_ > 1) {
    x = at::avg_pool2d(x, {2, 2}, {stride_, stride_}, /*padding=*/{0, 0}, /*ceil_mode=*/true,
                       /*count_include_pad=*/false);
  }
  return conv_->forward(x);
}

NormFreeBlockImpl::NormFreeBlockImpl(const NormFreeBlockOptions& options) : options_(options) {
  const int out = options.out_channels;
  int mid = MakeDivisible(out * options.bottle_ratio, options.ch_div);
  const int groups = options.group_size > 0 ? mid / options.group_size : 1;
  if (options.group_size > 0 && options.group_size % options.ch_div == 0) mid = options.group_size * groups;

  auto conv_options_for = [&](int in, int out_channels, int kernel, int stride, int conv_groups,
                              double gain_init) {
    ScaledStdConvOptions conv_options = options.conv;
    conv_options.in_channels = in;
    conv_options.out_channels = out_channels;
    conv_options.kernel = kernel;
    conv_options.stride = stride;
    conv_options.groups = conv_groups;
    conv_options.gain_init = gain_init;
    return conv_options;
  };
  // Own parameter first, as in timm's state dict.
  if (options.skipinit) skipinit_gain_ = register_parameter("skipinit_gain", torch::zeros({}));
  if (options.in_channels != out || options.stride != 1) {
    downsample_ = register_module(
        "downsample",
        DownsampleAvg(conv_options_for(options.in_channels, out, 1, 1, 1, 1.0), options.stride));
  }
  conv1_ =
      register_module("conv1", ScaledStdConv2d(conv_options_for(options.in_channels, mid, 1, 1, 1, 1.0)));
  conv2_ =
      register_module("conv2", ScaledStdConv2d(conv_options_for(mid, mid, 3, options.stride, groups, 1.0)));
  if (options.extra_conv)
    conv2b_ = register_module("conv2b", ScaledStdConv2d(conv_options_for(mid, mid, 3, 1, groups, 1.0)));
  // Without skipinit timm zero-inits conv3's gain so each residual branch starts silent.
  conv3_ = register_module(
      "conv3", ScaledStdConv2d(conv_options_for(mid, out, 1, 1, 1, options.skipinit ? 1.0 : 0.0)));
  if (options.attention == NfAttention::kSqueezeExcite) {
    attn_se_ = register_module("attn_last", NfSqueezeExcite(out, options.se_rd_ratio, options.se_rd_divisor));
  } else if (options.attention == NfAttention::kEca) {
    attn_eca_ = register_module("attn_last", EfficientChannelAttn(out));
  }
}

torch::Tensor NormFreeBlockImpl::forward(torch::Tensor x) {
  torch::Tensor out = options_.act(x);
  if (options_.beta != 1.0) out = out * options_.beta;
  const torch::Tensor shortcut = downsample_ ? downsample_->forward(out) : x;

  out = conv1_->forward(out);
  out = conv2_->forward(options_.act(out));
  if (conv2b_) out = conv2b_->forward(options_.act(out));
  out = conv3_->forward(options_.act(out));
  if (attn_se_) out = attn_se_->forward(out) * options_.attn_gain;
  if (attn_eca_) out = attn_eca_->forward(out) * options_.attn_gain;
  out = DropPath(out, options_.drop_path_rate, is_training());
  if (skipinit_gain_.defined()) out = out * skipinit_gain_;
  return at::add(shortcut, out, /*alpha=*/options_.alpha);
}

}  // namespace foldstack::trainer
