#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_BLOCKS_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_BLOCKS_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <functional>
#include <memory>

namespace foldstack::trainer {

// One residual block of timm's ResNet trunk (timm/models/resnet.py, sknet.py). The
// trunk (resnet.h) builds the stages from blocks made by a BlockFactory.
class ResidualBlock : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  // timm's zero_init_last: zero the last norm's weight so the branch starts as identity.
  virtual void ZeroInitLast() = 0;
};

// What make_blocks in timm hands each block.
struct BlockArgs {
  int in_channels = 0;
  int planes = 0;  // output channels = planes * expansion
  int stride = 1;
  int cardinality = 1;
  int base_width = 64;
  double drop_path_rate = 0.0;
  // Projection shortcut or nullptr; the block registers it as "downsample" after its
  // own layers, which is where timm's attribute order puts it.
  torch::nn::Sequential downsample{nullptr};
};

using BlockFactory = std::function<std::shared_ptr<ResidualBlock>(const BlockArgs&)>;

// Bias-free 2-D convolution with symmetric padding and optional dilation/groups.
torch::nn::Conv2d ResNetConv(int in_channels, int out_channels, int kernel, int stride, int padding,
                             int dilation = 1, int groups = 1);

// BatchNorm2d with PyTorch's (and timm's) defaults: eps 1e-5, momentum 0.1.
torch::nn::BatchNorm2d ResNetNorm(int channels);

// timm's BasicBlock (expansion 1): conv1/bn1/conv2/bn2[/downsample].
std::shared_ptr<ResidualBlock> MakeBasicBlock(const BlockArgs& args);

// timm's Bottleneck (expansion 4): conv1 1x1 / bn1 / conv2 3x3 grouped by cardinality with
// width floor(planes * base_width / 64) * cardinality / bn2 / conv3 1x1 / bn3[/downsample].
std::shared_ptr<ResidualBlock> MakeBottleneck(const BlockArgs& args);

// The shortcut sum shared by every block: drop_path(branch) + shortcut, then ReLU, where the
// shortcut is `x` or downsample(x). In-place where autograd allows, as timm does.
torch::Tensor ResidualSum(torch::Tensor branch, const torch::Tensor& x, torch::nn::Sequential& downsample,
                          double drop_path_rate, bool training);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_RESNET_BLOCKS_H_
