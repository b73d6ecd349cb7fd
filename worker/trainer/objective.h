// The training objective of a job, built from its settings: the loss (or the
// weighted sum loss_weight * loss + loss2_weight * loss2), or for task
// multi_head one loss per head (mask 3 / gender 2 / age 3) with per-head
// weights; a head task (mask, gender, age) is a plain classifier over that head's classes, and
// age_regression one output (the age in years, the loss on its scaled form: age_regression.h), whose class scores
// are the age bins' (age_regression.h). It also turns the model's raw outputs into class scores.
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
  // the mask task's 18 classes; for a head task num_classes is the head's (3 / 2 / 3). Errors are
  // one line naming the setting.
  static absl::StatusOr<Objective> FromSettings(const nlohmann::json& settings, int num_classes,
                                                const std::vector<int64_t>& class_counts);

  // How many outputs the model needs: num_classes, 8 for multi_head, 1 for age_regression.
  int model_outputs() const { return multi_head_ ? 8 : regression_ ? 1 : num_classes_; }
  bool multi_head() const { return multi_head_; }
  bool regression() const { return regression_; }

  // age_regression: the width of the Gaussian that turns ages into bins (FitAgeSigma).
  void set_age_sigma(double sigma) { age_sigma_ = sigma; }
  double age_sigma() const { return age_sigma_; }

  // Mean loss of a batch. `outputs` [N, model_outputs()]; `targets` class
  // indices [N] (int64) or soft targets over the job's classes [N, C] (mixup);
  // for age_regression the ages in years [N] (float).
  at::Tensor Loss(const at::Tensor& outputs, const at::Tensor& targets) const;

  // Log-probabilities of the job's classes [N, C]: log_softmax of a single
  // head, the heads recombined (CombineHeads) for multi_head, or the age bins of the
  // predicted ages for age_regression.
  at::Tensor ClassLogProbs(const at::Tensor& outputs) const;

 private:
  Objective() = default;
  static absl::StatusOr<Objective> RegressionObjective(const nlohmann::json& settings, int num_classes);

  int num_classes_ = 0;
  bool multi_head_ = false;
  bool regression_ = false;
  bool smooth_l1_ = false;
  double age_sigma_ = 1.0;
  int middle_start_ = 30, old_start_ = 60;  // age_bins
  recipes::LossFn single_;
  std::array<recipes::LossFn, 3> heads_;
  std::array<double, 3> head_weights_{1, 1, 1};
};

// Sums soft targets over the 18 mask classes (class = 6 mask + 3 gender + age)
// into the three heads' targets: [N, 18] -> mask [N, 3], gender [N, 2], age [N, 3].
std::array<at::Tensor, 3> HeadTargets(const at::Tensor& soft_targets);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_OBJECTIVE_H_
