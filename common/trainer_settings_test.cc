#include "common/trainer_settings.h"

#include <set>

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

using nlohmann::json;

std::string ErrorOf(std::string_view name, const json& value) {
  return std::string(ValidateSetting(name, value).message());
}

TEST(TrainerSettingsTest, ListsEverySettingOnce) {
  const std::vector<std::string> names = SettingNames();
  const std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  for (const char* name : {"model", "loss", "optimizer", "scheduler", "hflip", "mixup", "sampler", "age_bins",
                           "tta", "precision", "ranks", "finetune_epochs", "early_stopping"}) {
    EXPECT_TRUE(unique.count(name)) << name;
  }
  for (const TrainerSetting& setting : AllSettings()) {
    // Every default must itself be valid, or CompleteSettings would emit junk.
    EXPECT_TRUE(ValidateSetting(setting.name, setting.default_value).ok()) << setting.name;
  }
}

TEST(TrainerSettingsTest, StringChoices) {
  EXPECT_TRUE(ValidateSetting("optimizer", "sgd").ok());
  EXPECT_EQ(ErrorOf("optimizer", "sgdd"), "expected one of sgd, adam, adamw, madgrad; got \"sgdd\"");
  EXPECT_TRUE(ValidateSetting("model", "vit_small_r26_s32_224").ok());
  EXPECT_EQ(ErrorOf("model", "resnet5"),
            "expected one of 36 known names (closest: resnet50, resnet152, resnet18); got \"resnet5\"");
  EXPECT_EQ(ErrorOf("drop_path_rate", 1.0), "expected a number in [0, 1), got 1.0");
}

TEST(TrainerSettingsTest, IntegersAcceptWholeFloatsOnly) {
  EXPECT_TRUE(ValidateSetting("epochs", 3).ok());
  EXPECT_TRUE(ValidateSetting("epochs", 3.0).ok());
  EXPECT_EQ(ErrorOf("epochs", 3.5), "expected an integer >= 1, got 3.5");
  EXPECT_EQ(ErrorOf("epochs", 0), "expected an integer >= 1, got 0");
  EXPECT_EQ(ErrorOf("epochs", "3"), "expected an integer >= 1, got \"3\"");
  EXPECT_EQ(ErrorOf("image_size", 8), "expected an integer in [16, 1024], got 8");
  EXPECT_TRUE(ValidateSetting("image_size", 1024).ok());
  EXPECT_FALSE(ValidateSetting("image_size", 1025).ok());
}

TEST(TrainerSettingsTest, FloatsAcceptIntegersAndCheckBounds) {
  EXPECT_TRUE(ValidateSetting("lr", 1).ok());
  EXPECT_EQ(ErrorOf("lr", 0), "expected a number > 0, got 0");
  EXPECT_EQ(ErrorOf("momentum", 1), "expected a number in [0, 1), got 1");
  EXPECT_TRUE(ValidateSetting("momentum", 0).ok());
  EXPECT_EQ(ErrorOf("weight_decay", -0.5), "expected a number >= 0, got -0.5");
  EXPECT_FALSE(ValidateSetting("lr", true).ok());
}

TEST(TrainerSettingsTest, BoolsAndNumberLists) {
  EXPECT_TRUE(ValidateSetting("nesterov", true).ok());
  EXPECT_EQ(ErrorOf("nesterov", 1), "expected true or false, got 1");
  EXPECT_TRUE(ValidateSetting("age_bins", "30,59").ok());
  EXPECT_EQ(ErrorOf("age_bins", "60,30"), "expected two increasing whole ages, e.g. \"30,60\", got \"60,30\"");
  EXPECT_EQ(ErrorOf("age_bins", "30,abc"),
            "expected a string of comma-separated numbers, e.g. \"30,60\", got \"30,abc\"");
  EXPECT_TRUE(ValidateSetting("class_weights", "").ok());
  EXPECT_TRUE(ValidateSetting("class_weights", "1,2.5,0").ok());
  EXPECT_FALSE(ValidateSetting("class_weights", "1,-2").ok());
  EXPECT_FALSE(ValidateSetting("head_weights", "1,1").ok());
  EXPECT_TRUE(ValidateSetting("head_losses", "focal,ce,label_smoothing").ok());
  EXPECT_EQ(ErrorOf("head_losses", "focal,ce"),
            "expected \"\" or three of ce, weighted_ce, focal, label_smoothing, f1 (mask, gender, age), "
            "e.g. \"focal,ce,ce\"; got \"focal,ce\"");
}

TEST(CompleteSettingsTest, ChecksCombinations) {
  EXPECT_TRUE(CompleteSettings(json{{"mixup", 0.35}, {"cutmix", 0.35}}).ok());
  EXPECT_EQ(CompleteSettings(json{{"mixup", 0.7}, {"cutmix", 0.5}}).status().message(),
            "mixup + cutmix: expected at most 1, got 1.2");
}

TEST(TrainerSettingsTest, UnknownNamesGetSuggestions) {
  EXPECT_EQ(ErrorOf("lrr", 0.1), "unknown trainer setting \"lrr\" (did you mean \"lr\"?)");
  const std::string far = ErrorOf("learning_rate", 0.1);
  EXPECT_NE(far.find("known settings: model, pretrained, drop_rate"), std::string::npos) << far;
}

TEST(CompleteSettingsTest, FillsDefaultsAndCanonicalises) {
  absl::StatusOr<json> complete = CompleteSettings(json{{"epochs", 5.0}, {"lr", 1}});
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_EQ(complete->size(), SettingNames().size());
  EXPECT_TRUE((*complete)["epochs"].is_number_integer());
  EXPECT_EQ((*complete)["epochs"], 5);
  EXPECT_TRUE((*complete)["lr"].is_number_float());
  EXPECT_EQ((*complete)["lr"], 1.0);
  EXPECT_EQ((*complete)["model"], "resnet18");
  EXPECT_EQ((*complete)["optimizer"], "adam");
  EXPECT_EQ((*complete)["momentum"], 0.9);
  EXPECT_EQ((*complete)["image_size"], 224);
}

TEST(CompleteSettingsTest, NamesTheOffendingKey) {
  EXPECT_EQ(CompleteSettings(json{{"batch_size", 0}}).status().message(),
            "batch_size: expected an integer >= 1, got 0");
  EXPECT_EQ(CompleteSettings(json{{"optimzer", "sgd"}}).status().message(),
            "unknown trainer setting \"optimzer\" (did you mean \"optimizer\"?)");
  EXPECT_FALSE(CompleteSettings(json::array()).ok());
}

}  // namespace
}  // namespace foldstack::common
