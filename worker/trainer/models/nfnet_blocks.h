#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_BLOCKS_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_BLOCKS_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <memory>

#include "worker/trainer/models/layers/make_divisible.h"
#include <string>

namespace foldstack::trainer {

// The building blocks of timm's normalization-free nets (timm/models/nfnet.py,
// timm/layers/std_conv.py), with timm's parameter names.

// A scaled activation: act(x) * gamma (gamma 1 means plain act). NFNets either fold the
// nonlinearity's gamma into the convolutions or (gamma_in_act) apply it here.
struct NfActivation {
  enum class Kind { kSilu, kGelu };
  Kind kind = Kind::kSilu;
  double gamma = 1.0;

  torch::Tensor operator()(const torch::Tensor& x) const;
  // DeepMind's variance-preserving constant for `kind` (timm's _nonlin_gamma).
  static double GammaFor(Kind kind);
};

// timm's ScaledStdConv2d / ScaledStdConv2dSame: the weight is standardized per output
// channel (biased variance, eps) and scaled by gain * gamma / sqrt(fan_in) on every call.
// Parameters in timm's order: weight, bias, gain [out, 1, 1, 1].
struct ScaledStdConvOptions {
  int in_channels = 0;
  int out_channels = 0;
  int kernel = 1;
  int stride = 1;
  int groups = 1;
  double gamma = 1.0;  // activation gamma folded into the scale
  double eps = 1e-5;   // NfCfg.std_conv_eps
  double gain_init = 1.0;
  bool same_padding = false;  // TF "SAME" (dynamic when stride > 1) instead of k // 2
};

class ScaledStdConv2dImpl : public torch::nn::Module {
 public:
  explicit ScaledStdConv2dImpl(const ScaledStdConvOptions& options);
  torch::Tensor forward(torch::Tensor x);
  void ResetParameters();  // timm's NormFreeNet init: kaiming_normal (fan_in, linear), zero bias

  torch::Tensor weight, bias, gain;

 private:
  ScaledStdConvOptions options_;
  double scale_;
  int static_padding_;
  bool dynamic_same_pad_;
};
TORCH_MODULE(ScaledStdConv2d);

// timm's channel attention modules, applied to a block's output ("attn_last").
// SEModule: mean-pool -> fc1 (1x1 conv) -> ReLU -> fc2 -> sigmoid gate.
class NfSqueezeExciteImpl : public torch::nn::Module {
 public:
  NfSqueezeExciteImpl(int channels, double rd_ratio, int rd_divisor);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d fc1_{nullptr};
  torch::nn::Conv2d fc2_{nullptr};
};
TORCH_MODULE(NfSqueezeExcite);

// EcaModule: mean-pool -> 1-D conv across channels (kernel from log2(channels)) -> sigmoid.
class EfficientChannelAttnImpl : public torch::nn::Module {
 public:
  explicit EfficientChannelAttnImpl(int channels);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv1d conv_{nullptr};
};
TORCH_MODULE(EfficientChannelAttn);

// timm's DownsampleAvg: 2x2 average pool (ceil mode, padding excluded) when strided,
// then a 1x1 scaled conv ("downsample.conv").
class DownsampleAvgImpl : public torch::nn::Module {
 public:
  DownsampleAvgImpl(const ScaledStdConvOptions& conv, int stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  int stride_;
  ScaledStdConv2d conv_{nullptr};
};
TORCH_MODULE(DownsampleAvg);

enum class NfAttention { kNone, kSqueezeExcite, kEca };

struct NormFreeBlockOptions {
  int in_channels = 0;
  int out_channels = 0;
  int stride = 1;
  double alpha = 0.2;
  double beta = 1.0;           // 1 / sqrt(expected input variance)
  double bottle_ratio = 0.25;  // mid = out * bottle_ratio (timm reg=False)
  int group_size = 64;
  int ch_div = 8;
  bool extra_conv = true;  // NFNet's second 3x3 (conv2b)
  bool skipinit = false;
  NfAttention attention = NfAttention::kNone;
  double se_rd_ratio = 0.5;
  int se_rd_divisor = 8;
  double attn_gain = 2.0;
  NfActivation act;
  ScaledStdConvOptions conv;  // gamma / eps / same_padding shared by the block's convs
  double drop_path_rate = 0.0;
};

// timm's NormFreeBlock (pre-activation bottleneck, reg=False):
//   out = act(x) * beta; shortcut = downsample(out) or x
//   out = conv3(act(conv2b(act(conv2(act(conv1(out))))))); out = attn_gain * attn_last(out)
//   out = drop_path(out) [* skipinit_gain]; return out * alpha + shortcut
class NormFreeBlockImpl : public torch::nn::Module {
 public:
  explicit NormFreeBlockImpl(const NormFreeBlockOptions& options);
  torch::Tensor forward(torch::Tensor x);

 private:
  NormFreeBlockOptions options_;
  torch::Tensor skipinit_gain_;
  DownsampleAvg downsample_{nullptr};
  ScaledStdConv2d conv1_{nullptr};
  ScaledStdConv2d conv2_{nullptr};
  ScaledStdConv2d conv2b_{nullptr};
  ScaledStdConv2d conv3_{nullptr};
  NfSqueezeExcite attn_se_{nullptr};  // "attn_last", one of the two
  EfficientChannelAttn attn_eca_{nullptr};
};
TORCH_MODULE(NormFreeBlock);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_NFNET_BLOCKS_H_
