#include "worker/trainer/augment/augment_config.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_numbers.h"

namespace foldstack::augment {
namespace {

// Reads settings[key] as a number or integer into *out; errors name the key.
class SettingsReader {
 public:
  explicit SettingsReader(const nlohmann::json& settings) : settings_(settings) {}

  void Number(const char* key, double* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    const std::optional<double> number = common::AsNumber(*value);
    if (!number) return Fail(key, "a number", *value);
    *out = *number;
  }
  void Integer(const char* key, int* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    const std::optional<int64_t> integer = common::AsInteger(*value);
    if (!integer || *integer < 0 || *integer > (1 << 20)) return Fail(key, "a whole number >= 0", *value);
    *out = static_cast<int>(*integer);
  }
  void String(const char* key, std::string* out) {
    const nlohmann::json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_string()) return Fail(key, "a string", *value);
    *out = value->get<std::string>();
  }
  absl::Status status() const { return status_; }

 private:
  // nullptr (and the status set) when the key is missing or an error came earlier.
  const nlohmann::json* Find(const char* key) {
    if (!status_.ok()) return nullptr;
    const auto it = settings_.find(key);
    if (it == settings_.end()) {
      status_ = absl::InvalidArgumentError(absl::StrCat("settings: missing \"", key, "\""));
      return nullptr;
    }
    return &*it;
  }
  void Fail(const char* key, const char* expected, const nlohmann::json& value) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("settings: ", key, ": expected ", expected, ", got ", common::DescribeJson(value)));
  }

  const nlohmann::json& settings_;
  absl::Status status_;
};

std::array<float, 3> ToFloats(const std::array<double, 3>& values) {
  return {static_cast<float>(values[0]), static_cast<float>(values[1]), static_cast<float>(values[2])};
}

}  // namespace

absl::StatusOr<AugmentConfig> AugmentConfigFromSettings(const nlohmann::json& settings,
                                                        const std::array<double, 3>& backbone_mean,
                                                        const std::array<double, 3>& backbone_std,
                                                        const std::string& interpolation) {
  if (!settings.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("settings: expected a JSON object, got ", common::DescribeJson(settings)));
  }
  AugmentConfig config;
  SettingsReader read(settings);
  read.Integer("image_size", &config.image_size);
  read.Integer("center_crop", &config.center_crop);
  read.Number("random_resized_crop", &config.random_resized_crop);
  read.Number("rrc_scale_min", &config.rrc_scale_min);
  read.Number("hflip", &config.hflip);
  read.Number("shift_scale_rotate", &config.shift_scale_rotate);
  read.Number("shift_limit", &config.shift_limit);
  read.Number("scale_limit", &config.scale_limit);
  read.Number("rotate_limit", &config.rotate_limit);
  read.Number("hsv", &config.hsv);
  read.Number("hue_shift_limit", &config.hue_shift_limit);
  read.Number("sat_shift_limit", &config.sat_shift_limit);
  read.Number("val_shift_limit", &config.val_shift_limit);
  read.Number("brightness_contrast", &config.brightness_contrast);
  read.Number("brightness_limit", &config.brightness_limit);
  read.Number("contrast_limit", &config.contrast_limit);
  read.Number("gauss_noise", &config.gauss_noise);
  read.Number("noise_var_limit", &config.noise_var_limit);
  std::string normalize;
  read.String("normalize", &normalize);
  if (!read.status().ok()) return read.status();
  if (config.image_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("settings: image_size: expected an integer >= 1, got ", config.image_size));
  }

  if (normalize == "backbone") {
    config.mean = ToFloats(backbone_mean);
    config.std = ToFloats(backbone_std);
  } else if (normalize == "imagenet") {
    config.mean = ToFloats(kImagenetMean);
    config.std = ToFloats(kImagenetStd);
  } else if (normalize == "none") {
    config.normalize = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "settings: normalize: expected one of backbone, imagenet, none; got \"", normalize, "\""));
  }
  for (float s : config.std) {
    if (config.normalize && !(s > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("settings: normalize: the channel std must be > 0, got ", s));
    }
  }

  if (interpolation == "bicubic") {
    config.bicubic = true;
  } else if (interpolation != "bilinear") {
    return absl::InvalidArgumentError(absl::StrCat(
        "interpolation: expected \"bilinear\" or \"bicubic\", got \"", interpolation, "\""));
  }
  return config;
}

}  // namespace foldstack::augment
