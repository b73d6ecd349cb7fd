#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_COLOR_OPS_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_COLOR_OPS_H_

// Pixel-wise colour ops on 8-bit RGB images (CV_8UC3), as albumentations' uint8
// paths: look-up tables, results clipped to 0..255 and truncated to integers.
// Each op draws its parameters from `rng` and applies with probability 1; the
// *InPlace forms overwrite `rgb` (the pipeline's own buffer) to save a copy.

#include <random>

#include <opencv2/core.hpp>

#include "worker/trainer/augment/augment_config.h"

namespace foldstack::augment {

// HueSaturationValue: in OpenCV's 8-bit HSV (hue 0..179), hue += U(+-hue_shift_limit)
// modulo 180, saturation += U(+-sat_shift_limit) and value += U(+-val_shift_limit),
// both clipped to 0..255.
cv::Mat HueSaturationValue(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);
void HueSaturationValueInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);

// RandomBrightnessContrast (brightness_by_max): x * alpha + beta * 255 with
// alpha ~ 1 + U(+-contrast_limit), beta ~ U(+-brightness_limit).
cv::Mat BrightnessContrast(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);
void BrightnessContrastInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);

// GaussNoise (per channel): x + N(0, var), var ~ U(10, noise_var_limit).
cv::Mat GaussNoise(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);
void GaussNoiseInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_COLOR_OPS_H_
