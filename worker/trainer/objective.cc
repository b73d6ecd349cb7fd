#include "worker/trainer/objective.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/trainer_settings.h"
#include "data/mask_labels.h"
#include "worker/trainer/age_regression.h"
#include "worker/trainer/models/multi_head.h"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;

// One loss by its setting name, as the losses factory's JSON.
json LossConfig(const std::string& name, const json& settings, const std::vector<double>& class_weights) {
  if (name == "weighted_ce") {
    json config{{"name", "weighted_ce"}};
    if (!class_weights.empty()) config["weights"] = class_weights;
    return config;
  }
  if (name == "focal") {
    return {{"name", "focal"}, {"gamma", settings["focal_gamma"]}, {"alpha", settings["focal_alpha"]}};
  }
  if (name == "label_smoothing") return {{"name", "label_smoothing"}, {"epsilon", settings["smoothing"]}};
  return {{"name", name}};  // ce, f1
}

// The settings' loss, with loss2 added when set.
json CombinedConfig(const std::string& loss, const json& settings, const std::vector<double>& class_weights) {
  const std::string loss2 = settings["loss2"].get<std::string>();
  json first = LossConfig(loss, settings, class_weights);
  if (loss2 == "none" && settings["loss_weight"].get<double>() == 1.0) return first;
  json terms = json::array();
  first["weight"] = settings["loss_weight"];
  terms.push_back(first);
  if (loss2 != "none") {
    json second = LossConfig(loss2, settings, class_weights);
    second["weight"] = settings["loss2_weight"];
    terms.push_back(second);
  }
  return {{"name", "sum"}, {"terms", terms}};
}

at::Tensor CountsTensor(const std::vector<int64_t>& counts) {
  return at::tensor(std::vector<int64_t>(counts), at::kLong).to(at::kDouble);
}

}  // namespace

absl::StatusOr<Objective> Objective::RegressionObjective(const json& settings, int num_classes) {
  if (num_classes != kAgeBins) {
    return absl::InvalidArgumentError(
        absl::StrCat("task: age_regression predicts the ", kAgeBins, " age bins, not ", num_classes, " classes"));
  }
  Objective objective;
  objective.num_classes_ = num_classes;
  objective.regression_ = true;
  objective.smooth_l1_ = settings["regression_loss"] == "smooth_l1";
  const std::vector<double> starts = *common::ParseNumberList(settings["age_bins"].get<std::string>());
  objective.middle_start_ = static_cast<int>(starts[0]);
  objective.old_start_ = static_cast<int>(starts[1]);
  return objective;
}

std::array<at::Tensor, 3> HeadTargets(const at::Tensor& soft_targets) {
  const at::Tensor grid = soft_targets.reshape({soft_targets.size(0), kMaskStates, kGenders, kAgeBins});
  return {grid.sum({2, 3}), grid.sum({1, 3}), grid.sum({1, 2})};
}

absl::StatusOr<Objective> Objective::FromSettings(const json& settings, int num_classes,
                                                  const std::vector<int64_t>& class_counts) {
  Objective objective;
  objective.num_classes_ = num_classes;
  objective.multi_head_ = settings["task"] == "multi_head";
  if (settings["task"] == "age_regression") return RegressionObjective(settings, num_classes);
  absl::StatusOr<std::vector<double>> class_weights =
      common::ParseNumberList(settings["class_weights"].get<std::string>());
  if (!class_weights.ok()) return absl::InvalidArgumentError(absl::StrCat("class_weights: ", class_weights.status().message()));
  const std::string loss = settings["loss"].get<std::string>();

  if (!objective.multi_head_) {
    if (!class_weights->empty() && static_cast<int>(class_weights->size()) != num_classes) {
      return absl::InvalidArgumentError(absl::StrCat("class_weights: expected ", num_classes,
                                                     " weights (one per class), got ", class_weights->size()));
    }
    recipes::LossContext context;
    context.class_counts = CountsTensor(class_counts);
    absl::StatusOr<recipes::LossFn> fn = recipes::MakeLoss(CombinedConfig(loss, settings, *class_weights), context);
    if (!fn.ok()) return fn.status();
    objective.single_ = *std::move(fn);
    return objective;
  }

  if (num_classes != data::kMaskNumClasses) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task: multi_head needs the mask task's 18 classes (mask x gender x age), this dataset has ", num_classes));
  }
  if (!class_weights->empty()) {
    return absl::InvalidArgumentError("class_weights: not used with task multi_head (weighted_ce weighs each head by its own class counts)");
  }
  const std::string head_losses = settings["head_losses"].get<std::string>();
  const std::vector<std::string> names =
      head_losses.empty() ? std::vector<std::string>{loss, loss, loss} : absl::StrSplit(head_losses, ',');
  absl::StatusOr<std::vector<double>> weights = common::ParseNumberList(settings["head_weights"].get<std::string>());
  if (!weights.ok() || weights->size() != 3) return absl::InvalidArgumentError("head_weights: expected three numbers");
  // Per-head class counts are the 18-class counts summed like the targets.
  const std::array<at::Tensor, 3> head_counts = HeadTargets(CountsTensor(class_counts).reshape({1, data::kMaskNumClasses}));
  const char* head_names[3] = {"mask", "gender", "age"};
  for (int h = 0; h < 3; ++h) {
    recipes::LossContext context;
    context.class_counts = head_counts[h].reshape({-1});
    const json config = head_losses.empty() ? CombinedConfig(names[h], settings, {}) : LossConfig(names[h], settings, {});
    absl::StatusOr<recipes::LossFn> fn =
        recipes::MakeLoss(config, context, absl::StrCat("head_losses (", head_names[h], ")"));
    if (!fn.ok()) return fn.status();
    objective.heads_[h] = *std::move(fn);
    objective.head_weights_[h] = (*weights)[h];
  }
  return objective;
}

at::Tensor Objective::Loss(const at::Tensor& outputs, const at::Tensor& targets) const {
  if (regression_) {
    // In units of kAgeScale years: the gradients stay at a classifier's scale (on years, one SGD
    // step at a classifier's learning rate overshoots by hundreds of years).
    const at::Tensor predicted = outputs.reshape({-1});
    const at::Tensor truth = ((targets.to(predicted.scalar_type()) - kAgeCenter) / kAgeScale);
    return smooth_l1_ ? at::smooth_l1_loss(predicted, truth) : at::mse_loss(predicted, truth);
  }
  if (!multi_head_) return single_(outputs, targets);
  const at::Tensor soft = targets.dim() == 1 ? at::one_hot(targets, num_classes_).to(outputs.scalar_type()) : targets;
  const std::array<at::Tensor, 3> head_targets = HeadTargets(soft);
  const HeadLogits logits = SplitHeads(outputs);
  const at::Tensor* head_logits[3] = {&logits.mask, &logits.gender, &logits.age};
  at::Tensor total = head_weights_[0] * heads_[0](*head_logits[0], head_targets[0]);
  for (int h = 1; h < 3; ++h) total = total + head_weights_[h] * heads_[h](*head_logits[h], head_targets[h]);
  return total;
}

at::Tensor Objective::ClassLogProbs(const at::Tensor& outputs) const {
  if (multi_head_) return CombineHeads(outputs);
  if (regression_) return AgeBinLogProbs(PredictedAges(outputs), age_sigma_, middle_start_, old_start_);
  return at::log_softmax(outputs, 1);
}

}  // namespace foldstack::trainer
