#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_MULTI_HEAD_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_MULTI_HEAD_H_

#include <ATen/core/Tensor.h>

namespace foldstack::trainer {

// The mask task's multi-head variant: one backbone, three heads (mask state 3, gender 2,
// age bin 3). Three linear heads on the same pooled features are one linear layer with
// 3 + 2 + 3 = 8 outputs, so a multi-head model is the timm model built with
// num_classes = kMultiHeadOutputs: its checkpoint keeps timm's keys and loads in timm.
inline constexpr int kMaskStates = 3;
inline constexpr int kGenders = 2;
inline constexpr int kAgeBins = 3;
inline constexpr int kMultiHeadOutputs = kMaskStates + kGenders + kAgeBins;

struct HeadLogits {
  at::Tensor mask;    // [N, 3]
  at::Tensor gender;  // [N, 2]
  at::Tensor age;     // [N, 3]
};

// Views of the three heads' logits in an [N, 8] output.
HeadLogits SplitHeads(const at::Tensor& logits);

// Recombines the heads into the 18 classes (class = 6 * mask + 3 * gender + age), as
// log-probabilities: log p(class) = log p(mask) + log p(gender) + log p(age), the heads
// being independent given the image. [N, 8] -> [N, 18]; rows exp-sum to 1.
at::Tensor CombineHeads(const at::Tensor& logits);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_MULTI_HEAD_H_
