#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_RESNETV2_BACKBONE_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_RESNETV2_BACKBONE_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace foldstack::trainer {

// The CNN in front of timm's hybrid ViTs (vision_transformer_hybrid._resnetv2): a
// ResNetV2 *without* pre-activation (timm's resnetv2.Bottleneck, i.e. ResNet v1.5 order)
// built from StdConv2dSame (weight standardization with eps 1e-8 and TensorFlow "SAME"
// padding) and GroupNormAct (32 groups, eps 1e-5, ReLU), stem = 7x7/2 conv, norm and a
// SAME 3x3/2 max pool, no final norm and no head. Stage widths 256, 512, 1024, 2048 (as
// many as `blocks_per_stage` has entries), stride 1 in the first stage and 2 after.
// Keys: stem.conv, stem.norm, stages.<s>.blocks.<b>.{downsample.conv, downsample.norm,
// conv1, norm1, conv2, norm2, conv3, norm3}. Init as timm leaves it under a ViT: convs
// kaiming_normal(fan_out, relu), norms 1/0, each block's norm3 weight zeroed.
class ResNetV2BackboneImpl : public torch::nn::Module {
 public:
  explicit ResNetV2BackboneImpl(const std::vector<int>& blocks_per_stage);
  // images [B, 3, H, W] -> features [B, out_channels(), ceil(H / reduction()), ...]
  torch::Tensor forward(torch::Tensor images);

  int out_channels() const { return out_channels_; }
  int reduction() const { return reduction_; }

 private:
  torch::nn::AnyModule stem_;  // registered as "stem"
  torch::nn::Sequential stages_{nullptr};
  int out_channels_ = 0;
  int reduction_ = 4;
};
TORCH_MODULE(ResNetV2Backbone);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_RESNETV2_BACKBONE_H_
