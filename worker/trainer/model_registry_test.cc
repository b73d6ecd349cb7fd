#include "worker/trainer/model_registry.h"

#include <torch/nn/modules/batchnorm.h>

#include <algorithm>

#include "gtest/gtest.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {
namespace {

int64_t CountParameters(const torch::nn::Module& model) {
  int64_t total = 0;
  for (const torch::Tensor& p : model.parameters()) total += p.numel();
  return total;
}

TEST(ModelRegistryTest, Resnet18ParameterCountsMatchTimm) {
  auto with_18 = CreateModel("resnet18", 18);
  ASSERT_TRUE(with_18.ok()) << with_18.status();
  EXPECT_EQ(CountParameters(**with_18), 11185746);
  EXPECT_EQ((*with_18)->num_classes(), 18);
  auto with_1000 = CreateModel("resnet18", 1000);
  ASSERT_TRUE(with_1000.ok());
  EXPECT_EQ(CountParameters(**with_1000), 11689512);
}

TEST(ModelRegistryTest, Resnet34ParameterCountMatchesTimm) {
  auto model = CreateModel("resnet34", 1000);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(CountParameters(**model), 21797672);
}

TEST(ModelRegistryTest, Resnet18StateDictHasTimmKeysInTimmOrder) {
  auto model = CreateModel("resnet18", 18);
  ASSERT_TRUE(model.ok());
  const NamedTensors state = StateDict(**model);
  // 122 entries = 62 parameters + 60 buffers:
  //  * 20 BatchNorms (stem bn1, 2 per BasicBlock x 8 blocks, 3 downsample BNs in
  //    layer2..4), each with weight, bias (params) and running_mean,
  //    running_var, num_batches_tracked (buffers): 40 params + 60 buffers;
  //  * 20 convs without bias (stem, 2 per block x 8, 3 downsample 1x1): 20 params;
  //  * fc weight + bias: 2 params.
  ASSERT_EQ(state.size(), 122u);
  std::vector<std::string> keys;
  for (const auto& entry : state) keys.push_back(entry.first);
  const std::vector<std::string> head = {
      "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
      "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.0.bn1.weight"};
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + head.size()), head);
  // layer2.0: conv1, bn1 (5), conv2, bn2 (5), then downsample.0 and .1 (timm
  // registers downsample after bn2).
  auto at = [&](const std::string& key) { return std::find(keys.begin(), keys.end(), key) - keys.begin(); };
  EXPECT_EQ(at("layer2.0.downsample.0.weight"), at("layer2.0.bn2.num_batches_tracked") + 1);
  EXPECT_EQ(at("layer2.0.downsample.1.running_var"), at("layer2.0.downsample.0.weight") + 4);
  EXPECT_EQ(at("layer2.1.conv1.weight"), at("layer2.0.downsample.1.num_batches_tracked") + 1);
  EXPECT_LT(at("layer4.1.bn2.num_batches_tracked"), 120);
  EXPECT_EQ(keys[120], "fc.weight");
  EXPECT_EQ(keys[121], "fc.bias");
  EXPECT_EQ(std::count_if(keys.begin(), keys.end(), [](const std::string& k) {
              return k.find("downsample") != std::string::npos;
            }),
            3 * 6);
  EXPECT_EQ(at("layer1.0.downsample.0.weight"), static_cast<long>(keys.size()));  // none in layer1
  // Shapes of a few tensors.
  EXPECT_EQ(state[0].second.sizes(), (std::vector<int64_t>{64, 3, 7, 7}));
  EXPECT_EQ(state[at("layer3.0.downsample.0.weight")].second.sizes(), (std::vector<int64_t>{256, 128, 1, 1}));
  EXPECT_EQ(state[120].second.sizes(), (std::vector<int64_t>{18, 512}));
  EXPECT_EQ(state[5].second.scalar_type(), torch::kInt64);
}

TEST(ModelRegistryTest, InitializationFollowsTimm) {
  torch::manual_seed(0);
  auto model = CreateModel("resnet18", 10);
  ASSERT_TRUE(model.ok());
  NamedTensors state = StateDict(**model);
  auto get = [&](const std::string& key) {
    for (const auto& entry : state)
      if (entry.first == key) return entry.second;
    ADD_FAILURE() << key;
    return torch::Tensor();
  };
  // zero_init_last: every block's last BN starts at weight 0; others at 1.
  EXPECT_EQ(get("layer3.1.bn2.weight").abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(torch::all(get("layer3.1.bn1.weight") == 1).item<bool>());
  EXPECT_TRUE(torch::all(get("layer2.0.downsample.1.weight") == 1).item<bool>());
  // kaiming_normal_(fan_out, relu): std = sqrt(2 / (out_channels * k * k)).
  const torch::Tensor conv = get("layer4.0.conv2.weight");  // 512x512x3x3, fan_out 4608
  EXPECT_NEAR(conv.std().item<float>(), std::sqrt(2.0 / 4608.0), 2e-4);
  // PyTorch's Linear init: uniform within 1/sqrt(fan_in).
  EXPECT_LE(get("fc.weight").abs().max().item<float>(), 1.0 / std::sqrt(512.0) + 1e-6);
  // Same seed -> same weights.
  torch::manual_seed(0);
  auto again = CreateModel("resnet18", 10);
  EXPECT_TRUE(torch::equal(StateDict(**again)[0].second, state[0].second));
}

TEST(ModelRegistryTest, ForwardProducesLogitsPerImage) {
  auto model = CreateModel("resnet18", 7);
  ASSERT_TRUE(model.ok());
  torch::Tensor logits = (*model)->forward(torch::randn({2, 3, 32, 32}));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 7}));
}

TEST(ModelRegistryTest, UnknownNameListsClosestNames) {
  auto model = CreateModel("resnet19", 18);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("unknown model \"resnet19\""), std::string::npos);
  EXPECT_NE(model.status().message().find("resnet18"), std::string::npos) << model.status();
  EXPECT_FALSE(CreateModel("resnet18", 0).ok());
  // Other families register more names; these two must stay.
  const std::vector<std::string> names = ModelNames();
  for (const char* name : {"resnet18", "resnet34"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

}  // namespace
}  // namespace foldstack::trainer
