// Every sweep file under experiments/ parses, validates against the settings
// table and expands to trials that carry the recipe it advertises.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "coordinator/sweep/sweep_spec.h"
#include "coordinator/sweep/trials.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

std::map<std::string, json> FirstTrialOfEachFile() {
  std::map<std::string, json> trials;
  for (const auto& entry : std::filesystem::directory_iterator("experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    std::stringstream text;
    text << std::ifstream(entry.path()).rdbuf();
    absl::StatusOr<SweepSpec> spec = ParseSweepYaml(entry.path().string(), text.str());
    EXPECT_TRUE(spec.ok()) << spec.status();
    if (!spec.ok()) continue;
    absl::StatusOr<std::vector<json>> expanded = InitialTrials(*spec, "");
    EXPECT_TRUE(expanded.ok()) << expanded.status();
    if (expanded.ok() && !expanded->empty()) trials[entry.path().stem().string()] = expanded->front();
  }
  return trials;
}

TEST(ExperimentsTest, TheTeamsRecipesAreValidSweeps) {
  const std::map<std::string, json> trials = FirstTrialOfEachFile();
  ASSERT_EQ(trials.size(), 6u);  // quickstart + five recipes

  const json& vit = trials.at("vit_small_r26_s32_224-sgd-label_smoothing-mix");
  EXPECT_EQ(vit["model"], "vit_small_r26_s32_224");
  EXPECT_EQ(vit["optimizer"], "sgd");
  EXPECT_EQ(vit["lr"], 0.001);
  EXPECT_EQ(vit["batch_size"], 64);
  EXPECT_EQ(vit["loss"], "label_smoothing");
  EXPECT_EQ(vit["mixup"], 0.35);
  EXPECT_EQ(vit["cutmix"], 0.35);

  const json& effv2 = trials.at("efficientnetv2_rw_t-adam-weighted_ce-mixup");
  EXPECT_EQ(effv2["lr"], 0.00025);
  EXPECT_EQ(effv2["batch_size"], 128);
  EXPECT_EQ(effv2["loss"], "weighted_ce");
  EXPECT_EQ(effv2["mixup"], 0.5);

  const json& resnet = trials.at("resnet34-adam-focal-mix");
  EXPECT_EQ(resnet["model"], "resnet34");
  EXPECT_EQ(resnet["loss"], "focal");
  EXPECT_EQ(resnet["cutmix"], 0.25);

  const json& b4 = trials.at("efficientnet_b4-madgrad-then-sgd");
  EXPECT_EQ(b4["optimizer"], "madgrad");
  EXPECT_EQ(b4["lr"], 1e-6);
  EXPECT_EQ(b4["center_crop"], 380);
  EXPECT_EQ(b4["epochs"], 4);
  EXPECT_EQ(b4["finetune_epochs"], 2);
  EXPECT_EQ(b4["finetune_optimizer"], "sgd");

  const json& heads = trials.at("multi_head-class_balanced");
  EXPECT_EQ(heads["task"], "multi_head");
  EXPECT_EQ(heads["sampler"], "class_balanced");
}

}  // namespace
}  // namespace foldstack::sweep
