// `foldstack models ...` as a user runs it: the real binary in a child process.
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "tests/testing/cluster.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/models/testing/timm_fixtures.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::worker::tools {
namespace {

using testing::BinaryPath;
using testing::CommandResult;
using testing::RunCommand;

const std::string kGoldenInput = "worker/trainer/models/testdata/timm/golden_input.safetensors";

// The check a user makes after importing a checkpoint: weights that timm ran on the golden
// input (closed-form fill, see tests/golden/make_timm_fixtures.py) give timm's logits.
TEST(ModelsCommandTest, ForwardOfTimmWeightsReproducesTimmLogits) {
  const std::string dir = testing::MakeTempDir("forward");
  auto model = trainer::CreateModel("resnet18", 18);
  ASSERT_TRUE(model.ok());
  trainer::testing::FillClosedForm(**model);
  ASSERT_TRUE(trainer::SaveModuleSafetensors(dir + "/weights.safetensors", **model).ok());

  CommandResult run = RunCommand({BinaryPath("cli/foldstack"), "models", "forward", "--model", "resnet18",
                                  "--weights", dir + "/weights.safetensors", "--input", kGoldenInput,
                                  "--output", dir + "/logits.safetensors"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto written = trainer::LoadSafetensors(dir + "/logits.safetensors");
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->size(), 1u);
  EXPECT_EQ((*written)[0].first, "logits");
  auto golden = trainer::testing::GoldenLogits("resnet18");
  ASSERT_TRUE(golden.ok());
  const torch::Tensor& logits = (*written)[0].second;
  ASSERT_EQ(logits.sizes(), golden->sizes());  // 18 classes, taken from the weights
  EXPECT_LE((logits - *golden).abs().max().item<double>(), 1e-4 * golden->abs().max().item<double>());
}

TEST(ModelsCommandTest, MismatchedWeightsAreOneLineNamingTheKeys) {
  const std::string dir = testing::MakeTempDir("mismatch");
  auto model = trainer::CreateModel("resnet34", 18);
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(trainer::SaveModuleSafetensors(dir + "/r34.safetensors", **model).ok());
  CommandResult run = RunCommand({BinaryPath("cli/foldstack"), "models", "forward", "--model", "resnet18",
                                  "--weights", dir + "/r34.safetensors", "--input", kGoldenInput, "--output",
                                  dir + "/out.safetensors"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("r34.safetensors: state dict mismatch: unexpected [layer1.2.conv1.weight"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST(ModelsCommandTest, UnknownModelSuggestsTheClosestNames) {
  CommandResult run = RunCommand({BinaryPath("cli/foldstack"), "models", "forward", "--model", "resnet5",
                                  "--input", kGoldenInput, "--output", "/dev/null"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("unknown model \"resnet5\"; closest known: resnet"), std::string::npos) << run.err;
}

TEST(ModelsCommandTest, ListShowsEveryModelWithItsParameterCount) {
  CommandResult run =
      RunCommand({BinaryPath("cli/foldstack"), "models", "list", "--num-classes", "18", "--family", "resnet", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json listed = nlohmann::json::parse(run.out);
  std::map<std::string, int64_t> params;
  for (const auto& row : listed["models"]) params[row["name"]] = row["params"];
  EXPECT_EQ(params["resnet18"], 11185746);
  EXPECT_EQ(params["resnet34"], 21293906);
  for (const auto& row : listed["models"]) {
    EXPECT_EQ(row["family"], "resnet");
    EXPECT_EQ(row["input_size"], (nlohmann::json{3, 224, 224}));
  }
  CommandResult table = RunCommand({BinaryPath("cli/foldstack"), "models", "list", "--family", "resnet"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const size_t row = table.out.find("\nresnet18 ");
  ASSERT_NE(row, std::string::npos) << table.out;
  const std::string line = table.out.substr(row + 1, table.out.find('\n', row + 1) - row - 1);
  for (const char* cell : {"resnet", "11689512", "224x224", "bicubic", "0.95"}) {
    EXPECT_NE(line.find(cell), std::string::npos) << cell << " in: " << line;
  }
}

}  // namespace
}  // namespace foldstack::worker::tools
