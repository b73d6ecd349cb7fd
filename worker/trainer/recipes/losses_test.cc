#include "worker/trainer/recipes/losses.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::recipes {
namespace {

constexpr double kTol = 1e-5;

// Two samples, two classes. Row 0 logits {0, ln 3} -> p = {1/4, 3/4};
// row 1 logits {0, 0} -> p = {1/2, 1/2}. Targets: row 0 is class 1, row 1 class 0.
//   -log(3/4) = 0.287682, -log(1/2) = 0.693147, -log(1/4) = 1.386294.
at::Tensor Logits() { return at::tensor({0.0f, std::log(3.0f), 0.0f, 0.0f}).view({2, 2}); }
at::Tensor Targets() { return at::tensor({1, 0}, at::kLong); }

double Value(const at::Tensor& t) { return t.item<double>(); }

TEST(CrossEntropyTest, IndexTargetsMatchHandValue) {
  // (0.287682 + 0.693147) / 2 = 0.490415
  EXPECT_NEAR(Value(CrossEntropy(Logits(), Targets())), 0.490415, kTol);
}

TEST(CrossEntropyTest, ClassWeightsUsePyTorchsWeightedMean) {
  // weights {2, 1}: (1 * 0.287682 + 2 * 0.693147) / (1 + 2) = 1.673976 / 3 = 0.557992
  const at::Tensor w = at::tensor({2.0f, 1.0f});
  EXPECT_NEAR(Value(CrossEntropy(Logits(), Targets(), w)), 0.557992, kTol);
}

TEST(CrossEntropyTest, LabelSmoothingZeroIsPlainCrossEntropy) {
  EXPECT_NEAR(Value(CrossEntropy(Logits(), Targets(), std::nullopt, 0.0)), 0.490415, kTol);
}

TEST(CrossEntropyTest, LabelSmoothingValue) {
  // eps 0.2, C 2: targets become (1 - 0.2) * onehot + 0.1.
  // row 0 {0.1, 0.9}: 0.1 * 1.386294 + 0.9 * 0.287682 = 0.397543
  // row 1 {0.9, 0.1} on p {1/2, 1/2}: 0.693147.  mean = 0.545345
  EXPECT_NEAR(Value(CrossEntropy(Logits(), Targets(), std::nullopt, 0.2)), 0.545345, kTol);
}

TEST(CrossEntropyTest, SoftTargets) {
  // row 0 {0.5, 0.5}: 0.5 * (1.386294 + 0.287682) = 0.836988
  // row 1 {0.3, 0.7} on p {1/2, 1/2}: 0.693147.  mean = 0.765068
  const at::Tensor soft = at::tensor({0.5f, 0.5f, 0.3f, 0.7f}).view({2, 2});
  EXPECT_NEAR(Value(CrossEntropy(Logits(), soft)), 0.765068, kTol);
  // One-hot soft targets give the index-target value.
  const at::Tensor one_hot = at::tensor({0.0f, 1.0f, 1.0f, 0.0f}).view({2, 2});
  EXPECT_NEAR(Value(CrossEntropy(Logits(), one_hot)), 0.490415, kTol);
}

TEST(CrossEntropyTest, MismatchedTargetsThrowTorchError) {
  EXPECT_THROW(CrossEntropy(Logits(), at::tensor({1, 0, 1}, at::kLong)), c10::Error);
}

TEST(ClassWeightsTest, InverseFrequencyAveragingOneOverPresentClasses) {
  // 1/counts = {0.1, 1/30, -, 1/60}, sum 0.15; 3 present -> scale 3 / 0.15 = 20.
  const at::Tensor w = ClassWeightsFromCounts(at::tensor({10, 30, 0, 60}, at::kLong));
  ASSERT_EQ(w.size(0), 4);
  EXPECT_NEAR(w[0].item<double>(), 2.0, kTol);
  EXPECT_NEAR(w[1].item<double>(), 2.0 / 3.0, kTol);
  EXPECT_EQ(w[2].item<double>(), 0.0);
  EXPECT_NEAR(w[3].item<double>(), 1.0 / 3.0, kTol);
}

TEST(FocalLossTest, GammaZeroIsCrossEntropy) {
  EXPECT_NEAR(Value(FocalLoss(Logits(), Targets(), 0.0)), 0.490415, kTol);
  const at::Tensor soft = at::tensor({0.5f, 0.5f, 0.3f, 0.7f}).view({2, 2});
  EXPECT_NEAR(Value(FocalLoss(Logits(), soft, 0.0)), 0.765068, kTol);
}

TEST(FocalLossTest, GammaTwoValue) {
  // row 0: (1 - 3/4)^2 * 0.287682 = 0.0179801; row 1: (1/2)^2 * 0.693147 = 0.1732868
  // mean = 0.0956335
  EXPECT_NEAR(Value(FocalLoss(Logits(), Targets(), 2.0)), 0.0956335, kTol);
  // alpha {0.25, 0.75}: (0.75 * 0.0179801 + 0.25 * 0.1732868) / 2 = 0.0284034
  EXPECT_NEAR(Value(FocalLoss(Logits(), Targets(), 2.0, at::tensor({0.25f, 0.75f}))),
              0.0284034, kTol);
  // scalar alpha 0.5 halves it.
  EXPECT_NEAR(Value(FocalLoss(Logits(), Targets(), 2.0, at::scalar_tensor(0.5))),
              0.0478167, kTol);
}

TEST(FocalLossTest, SoftTargetsSumOverClasses) {
  // row 0 {0.5, 0.5}: 0.5 * (3/4)^2 * 1.386294 + 0.5 * (1/4)^2 * 0.287682 = 0.398885
  // row 1 {0.3, 0.7}, p {1/2, 1/2}: (0.3 + 0.7) * 0.25 * 0.693147 = 0.173287
  // mean = 0.286086
  const at::Tensor soft = at::tensor({0.5f, 0.5f, 0.3f, 0.7f}).view({2, 2});
  EXPECT_NEAR(Value(FocalLoss(Logits(), soft, 2.0)), 0.286086, kTol);
}

TEST(SoftMacroF1Test, PerfectPredictionIsNearZero) {
  const at::Tensor target = at::tensor({0, 1, 2}, at::kLong);
  const at::Tensor logits = 20.0 * at::one_hot(target, 3).to(at::kFloat);
  EXPECT_LT(Value(SoftMacroF1Loss(logits, target)), 1e-5);
}

TEST(SoftMacroF1Test, KnownCase) {
  // p = {{1/4, 3/4}, {1/2, 1/2}}, y = {{0, 1}, {1, 0}}
  // class 0: 2 * 0.5 / (0.75 + 1) = 0.571429; class 1: 2 * 0.75 / (1.25 + 1) = 0.666667
  // loss = 1 - (0.571429 + 0.666667) / 2 = 0.380952
  EXPECT_NEAR(Value(SoftMacroF1Loss(Logits(), Targets())), 0.380952, kTol);
}

TEST(LossGradientTest, AllLossesHaveFiniteGradientsEvenWhenSaturated) {
  at::manual_seed(7);
  // Random logits plus one saturated row where softmax rounds to exactly one-hot.
  at::Tensor base = at::randn({5, 4});
  base[4] = at::tensor({100.0f, -100.0f, -100.0f, -100.0f});
  const at::Tensor target = at::tensor({0, 1, 2, 3, 0}, at::kLong);
  const at::Tensor soft = at::softmax(at::randn({5, 4}), 1);
  const std::vector<LossFn> losses = {
      [](const at::Tensor& x, const at::Tensor& t) { return CrossEntropy(x, t); },
      [](const at::Tensor& x, const at::Tensor& t) { return CrossEntropy(x, t, at::ones({4}), 0.1); },
      [](const at::Tensor& x, const at::Tensor& t) { return FocalLoss(x, t, 0.0); },
      [](const at::Tensor& x, const at::Tensor& t) { return FocalLoss(x, t, 0.5); },
      [](const at::Tensor& x, const at::Tensor& t) { return FocalLoss(x, t, 2.0); },
      [](const at::Tensor& x, const at::Tensor& t) { return SoftMacroF1Loss(x, t); },
  };
  for (size_t i = 0; i < losses.size(); ++i) {
    for (const at::Tensor& t : {target, soft}) {
      at::Tensor logits = base.clone().requires_grad_(true);
      losses[i](logits, t).backward();
      ASSERT_TRUE(logits.grad().defined()) << "loss " << i;
      EXPECT_TRUE(at::isfinite(logits.grad()).all().item<bool>()) << "loss " << i;
      EXPECT_GT(logits.grad().abs().sum().item<double>(), 0.0) << "loss " << i;
    }
  }
}

TEST(MakeLossTest, BuildsEachNamedLoss) {
  const auto value = [](const nlohmann::json& config, const LossContext& context = {}) {
    absl::StatusOr<LossFn> fn = MakeLoss(config, context);
    EXPECT_TRUE(fn.ok()) << fn.status();
    return fn.ok() ? Value((*fn)(Logits(), Targets())) : -1.0;
  };
  EXPECT_NEAR(value({{"name", "ce"}}), 0.490415, kTol);
  EXPECT_NEAR(value({{"name", "label_smoothing"}, {"epsilon", 0.2}}), 0.545345, kTol);
  EXPECT_NEAR(value({{"name", "weighted_ce"}, {"weights", {2, 1}}}), 0.557992, kTol);
  // counts {1, 2} -> inverse {1, 1/2}, scaled to average 1 -> weights {4/3, 2/3}:
  // (2/3 * 0.287682 + 4/3 * 0.693147) / 2 = 0.557992 (same ratio 2:1 as above).
  EXPECT_NEAR(value({{"name", "weighted_ce"}}, LossContext{at::tensor({1, 2}, at::kLong)}),
              0.557992, kTol);
  EXPECT_NEAR(value({{"name", "focal"}, {"gamma", 2}}), 0.0956335, kTol);
  EXPECT_NEAR(value({{"name", "focal"}, {"gamma", 2}, {"alpha", {0.25, 0.75}}}), 0.0284034,
              kTol);
  EXPECT_NEAR(value({{"name", "f1"}}), 0.380952, kTol);
}

TEST(MakeLossTest, WeightedSumOfTwoLosses) {
  // 0.5 * CE + 2 * F1 = 0.5 * 0.490415 + 2 * 0.380952 = 1.007112
  const nlohmann::json config = nlohmann::json::parse(R"({"name": "sum", "terms": [
      {"name": "ce", "weight": 0.5}, {"name": "f1", "weight": 2}]})");
  absl::StatusOr<LossFn> fn = MakeLoss(config);
  ASSERT_TRUE(fn.ok()) << fn.status();
  EXPECT_NEAR(Value((*fn)(Logits(), Targets())), 1.007112, kTol);
}

TEST(MakeLossTest, BadConfigsGiveOneLineErrors) {
  const auto error = [](const char* text, const LossContext& context = {}) {
    absl::StatusOr<LossFn> fn = MakeLoss(nlohmann::json::parse(text), context);
    EXPECT_FALSE(fn.ok()) << text;
    const std::string message = fn.ok() ? "" : std::string(fn.status().message());
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  };
  EXPECT_EQ(error(R"({"name": "hinge"})"),
            "loss.name: unknown loss \"hinge\" (expected one of: ce, weighted_ce, "
            "label_smoothing, focal, f1, sum)");
  EXPECT_EQ(error(R"({"name": "focal", "gama": 2})"),
            "loss: unknown parameter \"gama\" for loss \"focal\" (expected one of: alpha, gamma)");
  EXPECT_EQ(error(R"({"name": "focal", "gamma": "two"})"),
            "loss.gamma: expected a number in [0, 100], got \"two\"");
  EXPECT_EQ(error(R"({"name": "ce", "epsilon": 0.1})"),
            "loss: unknown parameter \"epsilon\" for loss \"ce\" (expected none)");
  EXPECT_EQ(error(R"({"name": "weighted_ce"})"),
            "loss: weighted_ce needs \"weights\" or the training fold's class counts");
  EXPECT_EQ(error(R"({"name": "weighted_ce", "weights": [1, "x"]})"),
            "loss.weights: expected a number or a list of numbers >= 0, got [1,\"x\"]");
  EXPECT_EQ(error(R"({"name": "sum", "terms": [{"name": "ce"}]})"),
            "loss.terms: expected a list of two losses, each with a \"weight\", got "
            "[{\"name\":\"ce\"}]");
  EXPECT_EQ(error(R"({"name": "sum", "terms": [{"name": "ce"}, {"name": "focal", "gamma": -1}]})"),
            "loss.terms[1].gamma: expected a number in [0, 100], got -1");
  EXPECT_EQ(error(R"({"gamma": 2})"),
            "loss.name: expected one of ce, weighted_ce, label_smoothing, focal, f1, sum, "
            "got nothing");
}

}  // namespace
}  // namespace foldstack::recipes
