// Classification losses for imbalanced data: ce, weighted_ce, label_smoothing,
// focal, soft macro-F1, and a weighted sum of those, built by name from a config.
//
// Every loss takes logits [N, C] and a target that is either class indices [N]
// (int64) or soft / mixed targets [N, C] (float rows summing to 1, as mixup and
// cutmix produce). Shape errors inside a loss are TORCH_CHECK failures (c10::Error),
// caught at the trainer's boundary like any other torch error.
#ifndef FOLDSTACK_WORKER_TRAINER_RECIPES_LOSSES_H_
#define FOLDSTACK_WORKER_TRAINER_RECIPES_LOSSES_H_

#include <ATen/ATen.h>

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace foldstack::recipes {

// Mean cross-entropy. `class_weights` [C] weights each class as PyTorch does: with
// index targets the mean is sum_i w[y_i] * nll_i / sum_i w[y_i]; with soft targets
// it is mean_i sum_c -w_c t_ic log p_ic. `label_smoothing` eps turns the target into
// (1 - eps) * target + eps / C (timm's recipe) and then uses the soft-target form.
at::Tensor CrossEntropy(const at::Tensor& logits, const at::Tensor& target,
                        const std::optional<at::Tensor>& class_weights = std::nullopt,
                        double label_smoothing = 0.0);

// Inverse class frequency, scaled so the weights average to 1 over the classes
// present (count > 0); absent classes get 0. `counts` [C], any numeric dtype.
at::Tensor ClassWeightsFromCounts(const at::Tensor& counts);

// Focal loss (Lin et al. 2017), mean over samples of
//   sum_c -alpha_c t_c (1 - p_c)^gamma log p_c,
// which for index targets is -alpha_t (1 - p_t)^gamma log p_t. `alpha` is either
// a scalar tensor or per-class [C]; absent means 1. gamma = 0 and no alpha == CE.
at::Tensor FocalLoss(const at::Tensor& logits, const at::Tensor& target, double gamma,
                     const std::optional<at::Tensor>& alpha = std::nullopt);

// Soft macro-F1 loss: 1 - mean_c 2 sum_i p_ic y_ic / (sum_i p_ic + sum_i y_ic + eps),
// with p = softmax(logits). Differentiable stand-in for the competition metric.
at::Tensor SoftMacroF1Loss(const at::Tensor& logits, const at::Tensor& target,
                           double eps = 1e-7);

// (logits [N, C], target [N] or [N, C]) -> scalar loss.
using LossFn = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

// What the factory may need beyond the config: the training fold's class counts
// [C], used by weighted_ce when the config gives no "weights".
struct LossContext {
  std::optional<at::Tensor> class_counts;
};

// Builds a loss from a JSON object, e.g.
//   {"name": "ce"}
//   {"name": "weighted_ce"}                      (weights from context.class_counts)
//   {"name": "weighted_ce", "weights": [1, 2.5, ...]}
//   {"name": "label_smoothing", "epsilon": 0.1}
//   {"name": "focal", "gamma": 2, "alpha": 0.25}  (alpha: number or per-class list)
//   {"name": "f1", "eps": 1e-7}
//   {"name": "sum", "terms": [{"name": "ce", "weight": 0.5},
//                             {"name": "f1", "weight": 0.5}]}
// Errors are one line prefixed with `where`, e.g.
//   `loss.gamma: expected a number >= 0, got "two"`.
absl::StatusOr<LossFn> MakeLoss(const nlohmann::json& config,
                                const LossContext& context = {},
                                absl::string_view where = "loss");

}  // namespace foldstack::recipes

#endif  // FOLDSTACK_WORKER_TRAINER_RECIPES_LOSSES_H_
