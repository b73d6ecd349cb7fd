// The training objective of a job, built from its settings: the loss (or the
// weighted sum loss_weight * loss + loss2_weight * loss2), or for task
// multi_head one loss per head (mask 3 / gender 2 / age 3) with per-head
// weights. It also turns the model's raw outputs into class scores for metrics.
#ifndef FOLDSTACK_WORKER_TRAINER_OBJECTIVE_H_
#define FOLDSTACK_WORKER_TRAINER_OBJECTIVE_H_

#include <ATen/ATen.h>

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/recipes/losses.h"

namespace foldstack::trainer {

class Objective {
 public:
  // `settings`: a complete settings object (common::CompleteSettings).
  // `class_counts`: the training folds' count of every class (num_classes
  // entries), for weighted_ce without given class_weights. multi_head needs
  // the mask task's 18 classes. Errors are one line naming the setting.
  static absl::StatusOr<Objective> FromSettings(const nlohmann::json& settings, int num_classes,
                                                const std::vector<int64_t>& class_counts);

  // How many outputs the model needs: num_classes, or 8 for multi_head.
  int model_outputs() const { return multi_head_ ? 8 : num_classes_; }
  bool multi_head() const { return multi_head_; }

  // Mean loss of a batch. `outputs` [N, model_outputs()]; `targets` class
  // indices [N] (int64) or soft targets over the job's classes [N, C] (mixup).
  at::Tensor Loss(const at::Tensor& outputs, const at::Tensor& targets) const;

  // Log-probabilities of the job's classes [N, C]: log_softmax of a single
  // head, or the heads recombined (CombineHeads) for multi_head.
  at::Tensor ClassLogProbs(const at::Tensor& outputs) const;

 private:
  Objective() = default;

  int num_classes_ = 0;
  bool multi_head_ = false;
  recipes::LossFn single_;
  std::array<recipes::LossFn, 3> heads_;
  std::array<double, 3> head_weights_{1, 1, 1};
};

// Sums soft targets over the 18 mask classes (class = 6 mask + 3 gender + age)
// into the three heads' targets: [N, 18] -> mask [N, 3], gender [N, 2], age [N, 3].
std::array<at::Tensor, 3> HeadTargets(const at::Tensor& soft_targets);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_OBJECTIVE_H_
