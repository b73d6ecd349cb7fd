#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_MIX_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_MIX_H_

// Batch-level mixing as timm's Mixup in "batch" mode: one draw decides whether
// the whole batch is mixed with mixup, cutmix or not at all; each sample's
// partner is its mirror in the batch (sample N-1-i), and the targets become
// soft labels weighted by the mixing fraction.

#include <random>

#include <ATen/ATen.h>

#include "nlohmann/json.hpp"

namespace foldstack::augment {

struct MixConfig {
  double mixup = 0, cutmix = 0;  // per-batch probabilities, mixup + cutmix <= 1
  double mixup_alpha = 1.0, cutmix_alpha = 1.0;
};

// The four settings of a complete settings object; missing ones keep their defaults.
MixConfig MixConfigFromSettings(const nlohmann::json& settings);

enum class MixKind { kNone, kMixup, kCutmix };

struct MixedBatch {
  at::Tensor images;
  at::Tensor targets;  // [N, C] float soft targets, rows sum to 1
  MixKind kind = MixKind::kNone;
  double lambda = 1.0;  // weight of each sample's own label (1 when kNone)
};

// The pasted rectangle of cutmix, rows [y0, y1) and columns [x0, x1).
struct CutmixBox {
  int y0 = 0, y1 = 0, x0 = 0, x1 = 0;
  int Area() const { return (y1 - y0) * (x1 - x0); }
};

// timm's rand_bbox: sides int(H sqrt(1-lam)) and int(W sqrt(1-lam)), centre
// uniform over the image, half-sides (floored) each way, clipped to the image.
CutmixBox SampleCutmixBox(int height, int width, double lambda, std::mt19937_64& rng);

// Per batch: u ~ U(0,1); u < mixup -> mixup; u < mixup + cutmix -> cutmix; else
// plain (one-hot targets). mixup: lam ~ Beta(a, a), x = lam x + (1-lam) x_flip.
// cutmix: box of area fraction 1-lam (lam ~ Beta(a, a)), lam corrected to the
// box actually pasted (timm's correct_lam). targets = lam onehot(y) + (1-lam) onehot(y_flip).
// `images` [N,3,H,W] float (not modified in place), `labels` [N] int64 in [0, num_classes).
MixedBatch MixBatch(const at::Tensor& images, const at::Tensor& labels, int num_classes, const MixConfig& config,
                    std::mt19937_64& rng);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_MIX_H_
