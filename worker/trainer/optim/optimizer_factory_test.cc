#include "worker/trainer/optim/optimizer_factory.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "worker/trainer/optim/madgrad.h"

namespace foldstack::trainer::optim {
namespace {

const std::vector<std::string> kNames = {"sgd", "adam", "adamw", "madgrad"};

torch::Tensor Param(std::vector<double> values) {
  return torch::tensor(values, torch::kDouble).requires_grad_(true);
}

std::unique_ptr<torch::optim::Optimizer> Make(const std::string& name,
                                              std::vector<torch::Tensor> params, double lr,
                                              double momentum, bool nesterov,
                                              double weight_decay) {
  auto optimizer = MakeOptimizer(name, std::move(params), lr, momentum, nesterov, weight_decay);
  EXPECT_TRUE(optimizer.ok()) << optimizer.status();
  return optimizer.ok() ? std::move(*optimizer) : nullptr;
}

// One step with the gradient set by hand (so the arithmetic is the test's).
void Step(torch::optim::Optimizer& optimizer, torch::Tensor& x, const torch::Tensor& grad) {
  optimizer.zero_grad();
  x.mutable_grad() = grad.clone();
  optimizer.step();
}

double Value(const torch::Tensor& x) { return x.item<double>(); }

TEST(OptimizerFactoryTest, SgdNesterovOnAQuadraticMatchesHandArithmetic) {
  // f(x) = x^2 / 2, so the gradient is x; lr 0.1, momentum 0.9, L2 0.1.
  auto x = Param({1.0});
  auto sgd = Make("sgd", {x}, 0.1, 0.9, true, 0.1);
  ASSERT_NE(sgd, nullptr);
  // Step 1: g = x + 0.1 x = 1.1; buf = 1.1; d = g + 0.9 buf = 2.09;
  // x = 1 - 0.1 * 2.09 = 0.791.
  Step(*sgd, x, x.detach());
  EXPECT_NEAR(Value(x), 0.791, 1e-12);
  // Step 2: g = 0.791 * 1.1 = 0.8701; buf = 0.9 * 1.1 + 0.8701 = 1.8601;
  // d = 0.8701 + 0.9 * 1.8601 = 2.54419; x = 0.791 - 0.254419 = 0.536581.
  Step(*sgd, x, x.detach());
  EXPECT_NEAR(Value(x), 0.536581, 1e-12);
}

TEST(OptimizerFactoryTest, SgdWithoutNesterovUsesPlainMomentum) {
  auto x = Param({1.0});
  auto sgd = Make("sgd", {x}, 0.1, 0.9, false, 0.0);
  ASSERT_NE(sgd, nullptr);
  Step(*sgd, x, x.detach());  // buf = 1; x = 0.9
  Step(*sgd, x, x.detach());  // buf = 0.9 + 0.9 = 1.8; x = 0.9 - 0.18 = 0.72
  EXPECT_NEAR(Value(x), 0.72, 1e-12);
}

TEST(OptimizerFactoryTest, AdamUsesMomentumAsBeta1) {
  // Gradients +1 then -1 with beta1 = 0.5, beta2 = 0.999, lr 0.1:
  // step 1: m = 0.5, v = 0.001; m^ = 1, v^ = 1; x = -0.1.
  // step 2: m = 0.25 - 0.5 = -0.25, m^ = -0.25 / 0.75 = -1/3;
  //         v = 0.000999 + 0.001 = 0.001999, v^ = 0.001999 / 0.001999 = 1;
  //         x = -0.1 + 0.1 / 3. (With beta1 = 0.9, m^ would be -0.01 / 0.19.)
  auto x = Param({0.0});
  auto adam = Make("adam", {x}, 0.1, 0.5, false, 0.0);
  ASSERT_NE(adam, nullptr);
  Step(*adam, x, torch::ones({1}, torch::kDouble));
  EXPECT_NEAR(Value(x), -0.1, 1e-7);
  Step(*adam, x, -torch::ones({1}, torch::kDouble));
  EXPECT_NEAR(Value(x), -0.1 + 0.1 / 3, 1e-7);
}

TEST(OptimizerFactoryTest, AdamWeightDecayIsL2AndAdamWsIsDecoupled) {
  // A zero gradient isolates weight decay; x0 = 2, lr 0.1, weight_decay 0.1.
  auto x_adam = Param({2.0});
  auto adam = Make("adam", {x_adam}, 0.1, 0.9, false, 0.1);
  ASSERT_NE(adam, nullptr);
  // L2: g = 0.1 * 2 = 0.2, and Adam's first step moves by lr * g / |g| = 0.1.
  Step(*adam, x_adam, torch::zeros({1}, torch::kDouble));
  EXPECT_NEAR(Value(x_adam), 1.9, 1e-7);

  auto x_adamw = Param({2.0});
  auto adamw = Make("adamw", {x_adamw}, 0.1, 0.9, false, 0.1);
  ASSERT_NE(adamw, nullptr);
  // Decoupled: x *= 1 - lr * weight_decay = 0.99, and m = 0 adds nothing.
  Step(*adamw, x_adamw, torch::zeros({1}, torch::kDouble));
  EXPECT_NEAR(Value(x_adamw), 1.98, 1e-12);
}

TEST(OptimizerFactoryTest, MadgradGetsLrAndMomentum) {
  // As madgrad_test's first step (lr 2, x0 = [1, 0.5], g = [2, -1]), whose
  // dual point is z = [-1, 2.08740105] (eps 1e-6 moves it by < 1e-6); with
  // momentum 0.5, x1 = 0.5 x0 + 0.5 z = [0, 1.29370053].
  auto x = Param({1.0, 0.5});
  auto madgrad = Make("madgrad", {x}, 2.0, 0.5, false, 0.0);
  ASSERT_NE(madgrad, nullptr);
  ASSERT_NE(dynamic_cast<Madgrad*>(madgrad.get()), nullptr);
  Step(*madgrad, x, torch::tensor({2.0, -1.0}, torch::kDouble));
  EXPECT_NEAR(x[0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(x[1].item<double>(), 1.2937005259840997, 1e-6);
}

TEST(OptimizerFactoryTest, EachOptimizerGetsItsOptions) {
  auto x = Param({1.0});
  auto sgd = Make("sgd", {x}, 0.01, 0.8, true, 0.25);
  const auto& sgd_options = dynamic_cast<const torch::optim::SGDOptions&>(sgd->defaults());
  EXPECT_DOUBLE_EQ(sgd_options.momentum(), 0.8);
  EXPECT_TRUE(sgd_options.nesterov());
  EXPECT_DOUBLE_EQ(sgd_options.dampening(), 0.0);
  EXPECT_DOUBLE_EQ(sgd_options.weight_decay(), 0.25);

  auto adam = Make("adam", {x}, 0.01, 0.8, false, 0.25);
  const auto& adam_options = dynamic_cast<const torch::optim::AdamOptions&>(adam->defaults());
  EXPECT_DOUBLE_EQ(std::get<0>(adam_options.betas()), 0.8);
  EXPECT_DOUBLE_EQ(std::get<1>(adam_options.betas()), 0.999);
  EXPECT_DOUBLE_EQ(adam_options.weight_decay(), 0.25);

  auto adamw = Make("adamw", {x}, 0.01, 0.8, false, 0.25);
  const auto& adamw_options = dynamic_cast<const torch::optim::AdamWOptions&>(adamw->defaults());
  EXPECT_DOUBLE_EQ(std::get<0>(adamw_options.betas()), 0.8);
  EXPECT_DOUBLE_EQ(adamw_options.weight_decay(), 0.25);

  auto madgrad = Make("madgrad", {x}, 0.01, 0.8, false, 0.25);
  const auto& madgrad_options = dynamic_cast<const MadgradOptions&>(madgrad->defaults());
  EXPECT_DOUBLE_EQ(madgrad_options.momentum(), 0.8);
  EXPECT_DOUBLE_EQ(madgrad_options.weight_decay(), 0.25);
}

TEST(OptimizerFactoryTest, SetLearningRateTakesEffectForEveryOptimizer) {
  for (const std::string& name : kNames) {
    auto decay = Param({1.0, 2.0});
    auto no_decay = Param({3.0});
    auto optimizer = MakeOptimizer(name, ParamsByWeightDecay{{decay}, {no_decay}}, 0.1, 0.5, false, 0.0);
    ASSERT_TRUE(optimizer.ok()) << optimizer.status();
    ASSERT_EQ((*optimizer)->param_groups().size(), 2u) << name;
    EXPECT_DOUBLE_EQ(LearningRate(**optimizer), 0.1) << name;
    SetLearningRate(**optimizer, 0.025);
    for (const auto& group : (*optimizer)->param_groups()) {
      EXPECT_DOUBLE_EQ(group.options().get_lr(), 0.025) << name;
    }
  }
  // And the next step uses it: plain SGD moves by lr * g.
  auto x = Param({1.0});
  auto sgd = Make("sgd", {x}, 0.1, 0.0, false, 0.0);
  SetLearningRate(*sgd, 0.5);
  Step(*sgd, x, torch::ones({1}, torch::kDouble));
  EXPECT_NEAR(Value(x), 0.5, 1e-12);
}

TEST(OptimizerFactoryTest, NoDecayGroupGetsNoWeightDecay) {
  for (const std::string& name : {std::string("sgd"), std::string("adamw")}) {
    auto decay = Param({2.0});
    auto no_decay = Param({2.0});
    auto optimizer =
        MakeOptimizer(name, ParamsByWeightDecay{{decay}, {no_decay}}, 0.1, 0.0, false, 0.1);
    ASSERT_TRUE(optimizer.ok()) << optimizer.status();
    (*optimizer)->zero_grad();
    decay.mutable_grad() = torch::zeros({1}, torch::kDouble);
    no_decay.mutable_grad() = torch::zeros({1}, torch::kDouble);
    (*optimizer)->step();
    // SGD: x -= lr * wd * x; AdamW: x *= 1 - lr * wd. Both 2 -> 1.98.
    EXPECT_NEAR(Value(decay), 1.98, 1e-12) << name;
    EXPECT_DOUBLE_EQ(Value(no_decay), 2.0) << name;
  }
}

TEST(OptimizerFactoryTest, SplitByWeightDecayFollowsTimm) {
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3)),
                            torch::nn::BatchNorm2d(2), torch::nn::Linear(4, 3));
  auto frozen = net->register_parameter("frozen", torch::ones({2, 2}), /*requires_grad=*/false);
  const ParamsByWeightDecay split = SplitByWeightDecay(net->named_parameters());
  const auto named = net->named_parameters();
  ASSERT_EQ(split.decay.size(), 2u);
  EXPECT_TRUE(split.decay[0].is_same(named["0.weight"]));
  EXPECT_TRUE(split.decay[1].is_same(named["2.weight"]));
  ASSERT_EQ(split.no_decay.size(), 4u);
  EXPECT_TRUE(split.no_decay[0].is_same(named["0.bias"]));
  EXPECT_TRUE(split.no_decay[1].is_same(named["1.weight"]));
  EXPECT_TRUE(split.no_decay[2].is_same(named["1.bias"]));
  EXPECT_TRUE(split.no_decay[3].is_same(named["2.bias"]));
}

TEST(OptimizerFactoryTest, ErrorsAreOneLineStatuses) {
  auto x = Param({1.0});
  auto unknown = MakeOptimizer("rmsprop", {x}, 0.1, 0.9, false, 0.0);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "optimizer: expected one of sgd, adam, adamw, madgrad; got \"rmsprop\"");

  auto empty = MakeOptimizer("adam", std::vector<torch::Tensor>{}, 0.1, 0.9, false, 0.0);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "optimizer adam: no parameters to optimise");

  auto nesterov = MakeOptimizer("sgd", {x}, 0.1, 0.0, true, 0.0);
  ASSERT_FALSE(nesterov.ok());
  EXPECT_EQ(nesterov.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nesterov.status().message().rfind("optimizer sgd: ", 0), 0u) << nesterov.status();
  EXPECT_EQ(nesterov.status().message().find('\n'), std::string::npos);

  auto negative = MakeOptimizer("madgrad", {x}, -1.0, 0.9, false, 0.0);
  EXPECT_FALSE(negative.ok());
}

}  // namespace
}  // namespace foldstack::trainer::optim
