#include "worker/trainer/pretrained.h"

#include <torch/torch.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::shared_ptr<ImageClassifier> Build(const std::string& name, int num_classes, int seed) {
  torch::manual_seed(seed);
  auto model = CreateModel(name, num_classes);
  EXPECT_TRUE(model.ok()) << model.status();
  return *model;
}

torch::Tensor Get(const torch::nn::Module& module, const std::string& key) {
  for (const auto& [name, tensor] : StateDict(module))
    if (name == key) return tensor;
  ADD_FAILURE() << "no " << key;
  return {};
}

TEST(PretrainedTest, SameClassCountLoadsEveryTensor) {
  auto source = Build("resnet18", 18, 1);
  const std::string path = TempPath("same.safetensors");
  ASSERT_TRUE(SaveModuleSafetensors(path, *source).ok());
  auto target = Build("resnet18", 18, 2);
  auto info = FindModel("resnet18");
  ASSERT_TRUE(info.ok());
  auto loaded = LoadPretrained(path, *info, *target);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->head_reinitialized);
  EXPECT_EQ(loaded->tensors_loaded, 122);
  EXPECT_TRUE(torch::equal(Get(*target, "fc.weight"), Get(*source, "fc.weight")));
  EXPECT_TRUE(torch::equal(Get(*target, "layer4.1.conv2.weight"), Get(*source, "layer4.1.conv2.weight")));
}

// As timm does with pretrained weights and a new num_classes: the backbone loads, the
// classifier keeps its fresh initialization.
TEST(PretrainedTest, OtherClassCountReinitializesOnlyTheHead) {
  auto imagenet = Build("resnet18", 1000, 1);
  const std::string path = TempPath("imagenet.safetensors");
  ASSERT_TRUE(SaveModuleSafetensors(path, *imagenet).ok());
  auto target = Build("resnet18", 18, 2);
  const torch::Tensor fresh_head = Get(*target, "fc.weight").clone();
  auto info = FindModel("resnet18");
  auto loaded = LoadPretrained(path, *info, *target);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->head_reinitialized);
  EXPECT_TRUE(torch::equal(Get(*target, "fc.weight"), fresh_head));
  EXPECT_TRUE(torch::equal(Get(*target, "conv1.weight"), Get(*imagenet, "conv1.weight")));
  EXPECT_TRUE(torch::equal(Get(*target, "layer3.0.bn1.running_var"), Get(*imagenet, "layer3.0.bn1.running_var")));
}

// timm's published files are often float16/bfloat16 and lack num_batches_tracked.
TEST(PretrainedTest, HalfPrecisionFileWithoutStepCountersLoads) {
  auto source = Build("resnet18", 18, 3);
  NamedTensors half;
  for (const auto& [name, tensor] : StateDict(*source)) {
    if (name.find("num_batches_tracked") != std::string::npos) continue;
    half.emplace_back(name, tensor.is_floating_point() ? tensor.to(torch::kBFloat16) : tensor);
  }
  const std::string path = TempPath("bf16.safetensors");
  absl::Status saved = SaveSafetensors(path, half);
  ASSERT_TRUE(saved.ok()) << saved;
  auto target = Build("resnet18", 18, 4);
  auto loaded = LoadPretrained(path, *FindModel("resnet18"), *target);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(torch::allclose(Get(*target, "conv1.weight"), Get(*source, "conv1.weight"), 1e-2, 1e-2));
  EXPECT_EQ(Get(*target, "conv1.weight").scalar_type(), torch::kFloat32);
}

TEST(PretrainedTest, WrongArchitectureIsOneLineListingTheKeysAndChangesNothing) {
  auto resnet34 = Build("resnet34", 18, 1);
  const std::string path = TempPath("resnet34.safetensors");
  ASSERT_TRUE(SaveModuleSafetensors(path, *resnet34).ok());
  auto target = Build("resnet18", 18, 2);
  const torch::Tensor before = Get(*target, "conv1.weight").clone();
  auto loaded = LoadPretrained(path, *FindModel("resnet18"), *target);
  ASSERT_FALSE(loaded.ok());
  const std::string message(loaded.status().message());
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_NE(message.find(path + ": state dict mismatch: unexpected [layer1.2.conv1.weight"), std::string::npos)
      << message;
  EXPECT_TRUE(torch::equal(Get(*target, "conv1.weight"), before));
}

TEST(PretrainedTest, MissingFileNamesThePath) {
  auto target = Build("resnet18", 18, 2);
  auto loaded = LoadPretrained("/nonexistent/w.safetensors", *FindModel("resnet18"), *target);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(std::string(loaded.status().message()).find("/nonexistent/w.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace foldstack::trainer
