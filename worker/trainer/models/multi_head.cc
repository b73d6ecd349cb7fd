#include "worker/trainer/models/multi_head.h"

#include <ATen/ATen.h>

namespace foldstack::trainer {

HeadLogits SplitHeads(const at::Tensor& logits) {
  TORCH_CHECK(logits.dim() == 2 && logits.size(1) == kMultiHeadOutputs,
              "multi-head logits must be [N, 8], got ", logits.sizes());
  return {logits.narrow(1, 0, kMaskStates), logits.narrow(1, kMaskStates, kGenders),
          logits.narrow(1, kMaskStates + kGenders, kAgeBins)};
}

at::Tensor CombineHeads(const at::Tensor& logits) {
  const HeadLogits heads = SplitHeads(logits);
  const int64_t n = logits.size(0);
  // Broadcast [N,3,1,1] + [N,1,2,1] + [N,1,1,3] -> [N,3,2,3], flattened mask-major.
  at::Tensor joint = at::log_softmax(heads.mask, 1).view({n, kMaskStates, 1, 1}) +
                     at::log_softmax(heads.gender, 1).view({n, 1, kGenders, 1}) +
                     at::log_softmax(heads.age, 1).view({n, 1, 1, kAgeBins});
  return joint.reshape({n, kMaskStates * kGenders * kAgeBins});
}

}  // namespace foldstack::trainer
