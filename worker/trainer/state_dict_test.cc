#include "worker/trainer/state_dict.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "worker/trainer/model_registry.h"

namespace foldstack::trainer {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(StateDictTest, Resnet18RoundTripsThroughSafetensorsWithTimmKeys) {
  torch::manual_seed(1);
  auto source = CreateModel("resnet18", 5);
  torch::manual_seed(2);
  auto target = CreateModel("resnet18", 5);
  ASSERT_TRUE(source.ok() && target.ok());
  // Make a buffer non-trivial so buffers are proven to travel too.
  {
    torch::NoGradGuard no_grad;
    StateDict(**source)[3].second.fill_(0.25);  // bn1.running_mean
  }
  const std::string path = TempPath("resnet18.safetensors");
  ASSERT_TRUE(SaveModuleSafetensors(path, **source, {{"format", "pt"}}).ok());

  auto file = LoadSafetensors(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->size(), 122u);
  EXPECT_EQ(file->front().first, "conv1.weight");
  EXPECT_EQ(file->back().first, "fc.bias");

  ASSERT_TRUE(LoadModuleSafetensors(path, **target).ok());
  NamedTensors a = StateDict(**source), b = StateDict(**target);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  }
}

TEST(StateDictTest, MismatchIsOneReadableLineAndChangesNothing) {
  auto model = CreateModel("resnet18", 5);
  ASSERT_TRUE(model.ok());
  NamedTensors tensors = StateDict(**model);
  const torch::Tensor before = tensors[0].second.clone();
  NamedTensors edited;
  for (const auto& [name, tensor] : tensors) {
    if (name == "fc.bias") continue;                                   // missing
    if (name == "fc.weight") {
      edited.emplace_back(name, torch::zeros({10, 512}));              // wrong shape
    } else {
      edited.emplace_back(name, torch::zeros_like(tensor));
    }
  }
  edited.emplace_back("head.weight", torch::zeros({1}));               // unexpected
  absl::Status status = LoadStateDict(**model, edited);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "state dict mismatch: missing [fc.bias]; unexpected [head.weight]; "
            "wrong shape [fc.weight: file [10, 512] vs model [5, 512]]");
  EXPECT_TRUE(torch::equal(StateDict(**model)[0].second, before));
}

TEST(StateDictTest, LoadingAnotherArchitectureFails) {
  auto small = CreateModel("resnet18", 5);
  auto large = CreateModel("resnet34", 5);
  const std::string path = TempPath("resnet34.safetensors");
  ASSERT_TRUE(SaveModuleSafetensors(path, **large).ok());
  absl::Status status = LoadModuleSafetensors(path, **small);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("unexpected [layer1.2.conv1.weight"), std::string::npos) << status;
}

}  // namespace
}  // namespace foldstack::trainer
