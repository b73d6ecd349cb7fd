#include "worker/trainer/augment/augment_config.h"

#include "common/trainer_settings.h"
#include "gtest/gtest.h"

namespace foldstack::augment {
namespace {

constexpr std::array<double, 3> kHalf = {0.5, 0.5, 0.5};
constexpr std::array<double, 3> kQuarter = {0.25, 0.25, 0.25};

nlohmann::json Complete(const nlohmann::json& params) {
  absl::StatusOr<nlohmann::json> complete = common::CompleteSettings(params);
  EXPECT_TRUE(complete.ok()) << complete.status();
  return *complete;
}

TEST(AugmentConfigFromSettingsTest, DefaultsUseTheBackbonesNormalisation) {
  absl::StatusOr<AugmentConfig> config =
      AugmentConfigFromSettings(Complete(nlohmann::json::object()), kHalf, kQuarter, "bicubic");
  ASSERT_TRUE(config.ok()) << config.status();
  const AugmentConfig defaults;
  EXPECT_EQ(config->image_size, defaults.image_size);
  EXPECT_EQ(config->center_crop, 0);
  EXPECT_EQ(config->hflip, defaults.hflip);
  EXPECT_EQ(config->rrc_scale_min, defaults.rrc_scale_min);
  EXPECT_EQ(config->noise_var_limit, defaults.noise_var_limit);
  EXPECT_TRUE(config->normalize);
  EXPECT_EQ(config->mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(config->std, (std::array<float, 3>{0.25f, 0.25f, 0.25f}));
  EXPECT_TRUE(config->bicubic);
}

TEST(AugmentConfigFromSettingsTest, ReadsEverySetting) {
  const nlohmann::json settings = Complete({
      {"image_size", 96},          {"center_crop", 300},         {"random_resized_crop", 0.3},
      {"rrc_scale_min", 0.5},      {"hflip", 0.2},               {"shift_scale_rotate", 0.4},
      {"shift_limit", 0.1},        {"scale_limit", 0.2},         {"rotate_limit", 15},
      {"hsv", 0.6},                {"hue_shift_limit", 5},       {"sat_shift_limit", 6},
      {"val_shift_limit", 7},      {"brightness_contrast", 0.7}, {"brightness_limit", 0.3},
      {"contrast_limit", 0.4},     {"gauss_noise", 0.8},         {"noise_var_limit", 30},
      {"normalize", "imagenet"},
  });
  absl::StatusOr<AugmentConfig> c = AugmentConfigFromSettings(settings, kHalf, kQuarter, "bilinear");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->image_size, 96);
  EXPECT_EQ(c->center_crop, 300);
  EXPECT_EQ(c->random_resized_crop, 0.3);
  EXPECT_EQ(c->rrc_scale_min, 0.5);
  EXPECT_EQ(c->hflip, 0.2);
  EXPECT_EQ(c->shift_scale_rotate, 0.4);
  EXPECT_EQ(c->shift_limit, 0.1);
  EXPECT_EQ(c->scale_limit, 0.2);
  EXPECT_EQ(c->rotate_limit, 15);
  EXPECT_EQ(c->hsv, 0.6);
  EXPECT_EQ(c->hue_shift_limit, 5);
  EXPECT_EQ(c->sat_shift_limit, 6);
  EXPECT_EQ(c->val_shift_limit, 7);
  EXPECT_EQ(c->brightness_contrast, 0.7);
  EXPECT_EQ(c->brightness_limit, 0.3);
  EXPECT_EQ(c->contrast_limit, 0.4);
  EXPECT_EQ(c->gauss_noise, 0.8);
  EXPECT_EQ(c->noise_var_limit, 30);
  EXPECT_TRUE(c->normalize);
  EXPECT_EQ(c->mean, (std::array<float, 3>{0.485f, 0.456f, 0.406f}));
  EXPECT_EQ(c->std, (std::array<float, 3>{0.229f, 0.224f, 0.225f}));
  EXPECT_FALSE(c->bicubic);
}

TEST(AugmentConfigFromSettingsTest, NormalizeNoneOnlyDividesBy255) {
  absl::StatusOr<AugmentConfig> config =
      AugmentConfigFromSettings(Complete({{"normalize", "none"}}), kHalf, kQuarter, "bilinear");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->normalize);
}

TEST(AugmentConfigFromSettingsTest, ErrorsNameTheKey) {
  nlohmann::json settings = Complete(nlohmann::json::object());
  settings["hflip"] = "yes";
  EXPECT_EQ(AugmentConfigFromSettings(settings, kHalf, kQuarter, "bilinear").status().message(),
            "settings: hflip: expected a number, got \"yes\"");

  settings = Complete(nlohmann::json::object());
  settings.erase("gauss_noise");
  EXPECT_EQ(AugmentConfigFromSettings(settings, kHalf, kQuarter, "bilinear").status().message(),
            "settings: missing \"gauss_noise\"");

  settings = Complete(nlohmann::json::object());
  settings["image_size"] = 2.5;
  EXPECT_EQ(AugmentConfigFromSettings(settings, kHalf, kQuarter, "bilinear").status().message(),
            "settings: image_size: expected a whole number >= 0, got 2.5");

  settings = Complete(nlohmann::json::object());
  settings["normalize"] = "mean";
  EXPECT_EQ(AugmentConfigFromSettings(settings, kHalf, kQuarter, "bilinear").status().message(),
            "settings: normalize: expected one of backbone, imagenet, none; got \"mean\"");

  EXPECT_EQ(AugmentConfigFromSettings(Complete(nlohmann::json::object()), kHalf, kQuarter, "lanczos")
                .status()
                .message(),
            "interpolation: expected \"bilinear\" or \"bicubic\", got \"lanczos\"");
  EXPECT_FALSE(AugmentConfigFromSettings(nlohmann::json::array(), kHalf, kQuarter, "bilinear").ok());
}

}  // namespace
}  // namespace foldstack::augment
