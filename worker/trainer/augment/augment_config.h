#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_AUGMENT_CONFIG_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_AUGMENT_CONFIG_H_

// The per-image augmentation settings of one trial, read from the trainer's
// completed settings (common/trainer_settings.cc holds names, defaults, ranges).
// Each op has its own probability; its limits follow albumentations' defaults.

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::augment {

struct AugmentConfig {
  int image_size = 224;  // output is image_size x image_size
  int center_crop = 0;   // central N x N of the ORIGINAL image (scaled by decoded_scale), 0 = off
  double random_resized_crop = 0, rrc_scale_min = 0.08;  // ratio 3/4..4/3, as torchvision RandomResizedCrop
  double hflip = 0.5;
  double shift_scale_rotate = 0, shift_limit = 0.0625, scale_limit = 0.1, rotate_limit = 45;
  double hsv = 0, hue_shift_limit = 20, sat_shift_limit = 30, val_shift_limit = 20;
  double brightness_contrast = 0, brightness_limit = 0.2, contrast_limit = 0.2;
  double gauss_noise = 0, noise_var_limit = 50;  // variance ~ U(10, noise_var_limit) on the 0..255 scale
  bool normalize = true;                          // false: x / 255 only
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f}, std{0.229f, 0.224f, 0.225f};
  bool bicubic = false;  // resize interpolation (backbone's data config); else bilinear
};

// ImageNet's channel statistics (settings normalize = "imagenet").
inline constexpr std::array<double, 3> kImagenetMean = {0.485, 0.456, 0.406};
inline constexpr std::array<double, 3> kImagenetStd = {0.229, 0.224, 0.225};

// Reads the settings above from a complete settings object (common::CompleteSettings
// output). `backbone_mean/std` are used when settings["normalize"] == "backbone";
// "imagenet" uses ImageNet's; "none" = /255 only. `interpolation` is the backbone's
// data config value, "bilinear" or "bicubic". Errors name the key, e.g.
//   settings: hflip: expected a number, got "yes"
absl::StatusOr<AugmentConfig> AugmentConfigFromSettings(const nlohmann::json& settings,
                                                        const std::array<double, 3>& backbone_mean,
                                                        const std::array<double, 3>& backbone_std,
                                                        const std::string& interpolation);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_AUGMENT_CONFIG_H_
