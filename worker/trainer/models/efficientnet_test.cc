// What the timm parity test cannot see: the per-block drop-path rates, timm's weight
// initialization, and a training step (backward through every block kind).
#include "worker/trainer/models/efficientnet.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"
#include "worker/trainer/model_registry.h"

namespace foldstack::trainer {
namespace {

TEST(EfficientNetBlockPlanTest, DropPathRatesAreTimmsIndexOverCountNotLinspace) {
  EfficientNetSpec spec;
  spec.stages = {{EfficientNetBlockType::kDepthwiseSeparable, 1, 3, 1, 1.0, 16, 0.25},
                 {EfficientNetBlockType::kInvertedResidual, 3, 3, 2, 6.0, 24, 0.25}};
  spec.depth_multipliers = {1.0, 1.0};
  auto plan = EfficientNetBlockPlan(spec, 0.2);
  ASSERT_EQ(plan.size(), 2u);
  ASSERT_EQ(plan[1].size(), 3u);
  EXPECT_DOUBLE_EQ(plan[0][0].drop_path_rate, 0.0);
  EXPECT_DOUBLE_EQ(plan[1][0].drop_path_rate, 0.2 * 1 / 4);
  EXPECT_DOUBLE_EQ(plan[1][2].drop_path_rate, 0.2 * 3 / 4);  // never the full 0.2
  // Only a stage's first block strides; SE ratio becomes relative to the expanded width.
  EXPECT_EQ(plan[1][0].stride, 2);
  EXPECT_EQ(plan[1][1].stride, 1);
  EXPECT_DOUBLE_EQ(plan[1][0].se_ratio, 0.25 / 6.0);
  EXPECT_EQ(plan[1][0].in_channels, 16);
}

TEST(EfficientNetBlockPlanTest, DepthMultiplierRoundsRepeatsUp) {
  EfficientNetSpec spec;
  spec.stages = {{EfficientNetBlockType::kInvertedResidual, 2, 3, 2, 6.0, 24}};
  spec.depth_multipliers = {1.1};  // ceil(2.2) = 3
  spec.channel_multiplier = 1.1;   // round_channels(24 * 1.1) = 24, stem 32 * 1.1 -> 32
  auto plan = EfficientNetBlockPlan(spec, 0.0);
  ASSERT_EQ(plan[0].size(), 3u);
  EXPECT_EQ(plan[0][0].in_channels, 32);
  EXPECT_EQ(plan[0][0].out_channels, 24);
}

TEST(EfficientNetTest, FreshModelHasTimmsGoogleStyleInit) {
  torch::manual_seed(0);
  auto model = CreateModel("efficientnet_b0", 18);
  ASSERT_TRUE(model.ok()) << model.status();
  for (const auto& item : (*model)->named_parameters()) {
    const std::string& name = item.key();
    const torch::Tensor& tensor = item.value();
    if (name == "conv_stem.weight") {  // fan_out = 3 * 3 * 32
      EXPECT_NEAR(tensor.std().item<double>(), std::sqrt(2.0 / 288), 0.15 * std::sqrt(2.0 / 288));
    } else if (name == "classifier.weight") {  // U(+-1/sqrt(18))
      EXPECT_LE(tensor.abs().max().item<double>(), 1.0 / std::sqrt(18.0));
      EXPECT_GT(tensor.abs().max().item<double>(), 0.8 / std::sqrt(18.0));
    } else if (name == "classifier.bias" || name == "blocks.1.0.se.conv_reduce.bias") {
      EXPECT_EQ(tensor.abs().max().item<double>(), 0.0) << name;
    } else if (name == "bn2.weight") {
      EXPECT_TRUE(torch::equal(tensor, torch::ones_like(tensor)));
    }
  }
}

// SiLU runs in place only without autograd; a training step must still backpropagate
// through every block kind (v2 has cn, er and ir blocks) with stochastic depth on.
TEST(EfficientNetTest, TrainingStepReachesTheStem) {
  torch::manual_seed(0);
  ModelOptions options;
  options.num_classes = 4;
  options.drop_rate = 0.2;
  options.drop_path_rate = 0.2;
  auto model = CreateModel("efficientnetv2_rw_t", options);
  ASSERT_TRUE(model.ok()) << model.status();
  (*model)->train();
  torch::Tensor logits = (*model)->forward(torch::randn({2, 3, 64, 64}));
  torch::nn::functional::cross_entropy(logits, torch::tensor({0, 3})).backward();
  for (const auto& item : (*model)->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
  }
  auto stem = (*model)->named_parameters()["conv_stem.weight"];
  EXPECT_GT(stem.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace foldstack::trainer
