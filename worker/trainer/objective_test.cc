#include "worker/trainer/objective.h"

#include "common/trainer_settings.h"
#include "gtest/gtest.h"
#include "worker/trainer/models/multi_head.h"

namespace foldstack::trainer {
namespace {

using nlohmann::json;

json Settings(const json& overrides) {
  absl::StatusOr<json> complete = common::CompleteSettings(overrides);
  EXPECT_TRUE(complete.ok()) << complete.status();
  return *complete;
}

double Value(const at::Tensor& t) { return t.item<double>(); }

TEST(ObjectiveTest, SingleHeadLossesMatchTheirDefinitions) {
  at::manual_seed(1);
  const at::Tensor logits = at::randn({6, 4}, at::kDouble);
  const at::Tensor labels = at::tensor(std::vector<int64_t>{0, 1, 2, 3, 1, 1});
  const std::vector<int64_t> counts = {1, 3, 1, 1};

  absl::StatusOr<Objective> ce = Objective::FromSettings(Settings(json::object()), 4, counts);
  ASSERT_TRUE(ce.ok()) << ce.status();
  EXPECT_EQ(ce->model_outputs(), 4);
  EXPECT_NEAR(Value(ce->Loss(logits, labels)), Value(at::cross_entropy_loss(logits, labels)), 1e-12);

  absl::StatusOr<Objective> weighted = Objective::FromSettings(Settings({{"loss", "weighted_ce"}}), 4, counts);
  ASSERT_TRUE(weighted.ok()) << weighted.status();
  const at::Tensor weights = recipes::ClassWeightsFromCounts(at::tensor(std::vector<double>{1, 3, 1, 1}, at::kDouble));
  EXPECT_NEAR(Value(weighted->Loss(logits, labels)), Value(recipes::CrossEntropy(logits, labels, weights)), 1e-12);
  EXPECT_GT(Value(weights[0]), Value(weights[1]));  // the rare class weighs more

  absl::StatusOr<Objective> given =
      Objective::FromSettings(Settings({{"loss", "weighted_ce"}, {"class_weights", "1,0,0,0"}}), 4, counts);
  ASSERT_TRUE(given.ok()) << given.status();
  // Only sample 0 (class 0) counts.
  EXPECT_NEAR(Value(given->Loss(logits, labels)), -Value(at::log_softmax(logits, 1)[0][0]), 1e-12);

  absl::StatusOr<Objective> sum = Objective::FromSettings(
      Settings({{"loss", "focal"}, {"focal_gamma", 2.0}, {"loss2", "f1"}, {"loss_weight", 0.7}, {"loss2_weight", 0.3}}),
      4, counts);
  ASSERT_TRUE(sum.ok()) << sum.status();
  const double expected = 0.7 * Value(recipes::FocalLoss(logits, labels, 2.0)) +
                          0.3 * Value(recipes::SoftMacroF1Loss(logits, at::one_hot(labels, 4).to(at::kDouble)));
  EXPECT_NEAR(Value(sum->Loss(logits, labels)), expected, 1e-9);

  absl::StatusOr<Objective> smooth =
      Objective::FromSettings(Settings({{"loss", "label_smoothing"}, {"smoothing", 0.2}}), 4, counts);
  ASSERT_TRUE(smooth.ok());
  EXPECT_NEAR(Value(smooth->Loss(logits, labels)), Value(recipes::CrossEntropy(logits, labels, std::nullopt, 0.2)),
              1e-12);
}

TEST(ObjectiveTest, MultiHeadSumsWeightedHeadLosses) {
  at::manual_seed(2);
  const at::Tensor outputs = at::randn({5, kMultiHeadOutputs}, at::kDouble);
  // class = 6 mask + 3 gender + age
  const std::vector<int64_t> classes = {0, 17, 6 + 3 + 1, 12 + 2, 4};
  const at::Tensor labels = at::tensor(classes);
  absl::StatusOr<Objective> objective = Objective::FromSettings(
      Settings({{"task", "multi_head"}, {"head_losses", "ce,focal,ce"}, {"head_weights", "1,0.5,2"}}), 18,
      std::vector<int64_t>(18, 1));
  ASSERT_TRUE(objective.ok()) << objective.status();
  EXPECT_EQ(objective->model_outputs(), 8);
  const HeadLogits heads = SplitHeads(outputs);
  std::vector<int64_t> mask, gender, age;
  for (int64_t c : classes) {
    mask.push_back(c / 6);
    gender.push_back((c % 6) / 3);
    age.push_back(c % 3);
  }
  const double expected = Value(at::cross_entropy_loss(heads.mask, at::tensor(mask))) +
                          0.5 * Value(recipes::FocalLoss(heads.gender, at::tensor(gender), 2.0)) +
                          2.0 * Value(at::cross_entropy_loss(heads.age, at::tensor(age)));
  EXPECT_NEAR(Value(objective->Loss(outputs, labels)), expected, 1e-9);
  // Soft targets (as mixup makes them) give the same loss as the indices they encode.
  EXPECT_NEAR(Value(objective->Loss(outputs, at::one_hot(labels, 18).to(at::kDouble))), expected, 1e-9);
  const at::Tensor log_probs = objective->ClassLogProbs(outputs);
  EXPECT_EQ(log_probs.size(1), 18);
  EXPECT_TRUE(at::allclose(log_probs.exp().sum(1), at::ones({5}, at::kDouble)));
}

TEST(ObjectiveTest, HeadTargetsMarginalise) {
  at::Tensor soft = at::zeros({1, 18}, at::kDouble);
  soft[0][6 * 1 + 3 * 1 + 2] = 0.25;  // incorrect, female, old
  soft[0][6 * 2 + 3 * 0 + 0] = 0.75;  // normal, male, young
  const std::array<at::Tensor, 3> heads = HeadTargets(soft);
  EXPECT_TRUE(at::allclose(heads[0], at::tensor({0.0, 0.25, 0.75}, at::kDouble).reshape({1, 3})));
  EXPECT_TRUE(at::allclose(heads[1], at::tensor({0.75, 0.25}, at::kDouble).reshape({1, 2})));
  EXPECT_TRUE(at::allclose(heads[2], at::tensor({0.75, 0.0, 0.25}, at::kDouble).reshape({1, 3})));
}

TEST(ObjectiveTest, HeadTaskIsAPlainClassifierOverTheHead) {
  absl::StatusOr<Objective> gender = Objective::FromSettings(Settings({{"task", "gender"}}), 2, {3, 1});
  ASSERT_TRUE(gender.ok()) << gender.status();
  EXPECT_EQ(gender->model_outputs(), 2);
  const at::Tensor logits = at::tensor({2.0, -1.0, 0.5, 0.5}, at::kDouble).reshape({2, 2});
  const at::Tensor labels = at::tensor(std::vector<int64_t>{0, 1});
  EXPECT_NEAR(Value(gender->Loss(logits, labels)), Value(at::cross_entropy_loss(logits, labels)), 1e-12);
}

TEST(ObjectiveTest, AgeRegressionLossOnYearsAndBinsFromTheAge) {
  for (const char* loss : {"mse", "smooth_l1"}) {
    absl::StatusOr<Objective> objective =
        Objective::FromSettings(Settings({{"task", "age_regression"}, {"regression_loss", loss}}), 3, {1, 1, 1});
    ASSERT_TRUE(objective.ok()) << objective.status();
    EXPECT_EQ(objective->model_outputs(), 1);
    EXPECT_TRUE(objective->regression());
    // Outputs 0 and 1 are ages 40 and 60; targets 46 and 60: errors 6 years and 0, i.e. 0.3 and 0 in
    // units of 20 years (smooth-L1 below 1 is half the square).
    const at::Tensor outputs = at::tensor({0.0, 1.0}, at::kDouble).reshape({2, 1});
    const at::Tensor ages = at::tensor({46.0, 60.0}, at::kDouble);
    const double expected = std::string(loss) == "mse" ? (0.09 + 0.0) / 2 : (0.045 + 0.0) / 2;
    EXPECT_NEAR(Value(objective->Loss(outputs, ages)), expected, 1e-9) << loss;
    const at::Tensor probs = objective->ClassLogProbs(outputs).exp();
    EXPECT_EQ(probs.argmax(1)[0].item<int64_t>(), 1);  // 40: middle bin
    EXPECT_EQ(probs.argmax(1)[1].item<int64_t>(), 2);  // 60: old bin
  }
  EXPECT_EQ(Objective::FromSettings(Settings({{"task", "age_regression"}}), 18, std::vector<int64_t>(18, 1))
                .status()
                .message(),
            "task: age_regression predicts the 3 age bins, not 18 classes");
}

TEST(ObjectiveTest, ErrorsNameTheSetting) {
  EXPECT_EQ(Objective::FromSettings(Settings({{"task", "multi_head"}}), 10, std::vector<int64_t>(10, 1))
                .status()
                .message(),
            "task: multi_head needs the mask task's 18 classes (mask x gender x age), this dataset has 10");
  EXPECT_EQ(Objective::FromSettings(Settings({{"loss", "weighted_ce"}, {"class_weights", "1,2"}}), 4,
                                    std::vector<int64_t>(4, 1))
                .status()
                .message(),
            "class_weights: expected 4 weights (one per class), got 2");
}

}  // namespace
}  // namespace foldstack::trainer
