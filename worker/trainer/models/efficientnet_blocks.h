#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_BLOCKS_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_BLOCKS_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <memory>

#include "worker/trainer/models/layers/make_divisible.h"

namespace foldstack::trainer {

// The building blocks of timm's EfficientNet family (timm/models/_efficientnet_blocks.py)
// with timm's attribute names, registered in timm's order so state dicts match key for key.
// Every activation is SiLU (timm's "swish"/"silu"); norms are BatchNorm2d with PyTorch's
// defaults (eps 1e-5, momentum 0.1), convolutions have no bias and symmetric padding
// ((stride - 1) + (kernel - 1)) / 2, as timm's create_conv2d with pad_type ''.

// Conv2d without bias and with timm's default (symmetric) padding.
torch::nn::Conv2d EfficientNetConv(int in_channels, int out_channels, int kernel, int stride = 1,
                                   int groups = 1);

// BatchNorm2d (eps 1e-5, momentum 0.1) followed by SiLU when `act`: timm's BatchNormAct2d.
torch::Tensor BatchNormSilu(torch::nn::BatchNorm2d& norm, const torch::Tensor& x, bool act = true);

// timm's SqueezeExcite: global mean -> conv_reduce (1x1, bias) -> SiLU -> conv_expand
// (1x1, bias) -> sigmoid gate on the input. reduced = round-half-even(channels * ratio).
class SqueezeExciteImpl : public torch::nn::Module {
 public:
  SqueezeExciteImpl(int channels, double ratio);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv_reduce_{nullptr};
  torch::nn::Conv2d conv_expand_{nullptr};
};
TORCH_MODULE(SqueezeExcite);

enum class EfficientNetBlockType {
  kConvBnAct,           // timm "cn": conv, bn1
  kDepthwiseSeparable,  // timm "ds": conv_dw, bn1, se, conv_pw, bn2
  kInvertedResidual,    // timm "ir" (MBConv): conv_pw, bn1, conv_dw, bn2, se, conv_pwl, bn3
  kEdgeResidual,        // timm "er" (FusedMBConv): conv_exp, bn1, se, conv_pwl, bn2
};

// One block's arguments as timm's EfficientNetBuilder hands them to the block class.
struct EfficientNetBlockArgs {
  EfficientNetBlockType type = EfficientNetBlockType::kInvertedResidual;
  int in_channels = 0;
  int out_channels = 0;
  int kernel_size = 3;  // depthwise kernel (ds, ir), expansion kernel (er), conv kernel (cn)
  int stride = 1;
  double exp_ratio = 1.0;  // mid channels = MakeDivisible(in_channels * exp_ratio) (ir, er)
  // SE reduction relative to the SE's own input (timm divides the arch's ratio by exp_ratio
  // so it is relative to the block input); 0 = no SE.
  double se_ratio = 0.0;
  // timm's skip/noskip: the residual is used when this holds, stride is 1 and the width
  // is unchanged ("cn" blocks only with an explicit "skip").
  bool residual = true;
  double drop_path_rate = 0.0;  // stochastic depth on the residual branch
};

// The common face of the four block kinds; forward applies stochastic depth in training.
class EfficientNetBlock : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
};

std::shared_ptr<EfficientNetBlock> MakeEfficientNetBlock(const EfficientNetBlockArgs& args);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_EFFICIENTNET_BLOCKS_H_
