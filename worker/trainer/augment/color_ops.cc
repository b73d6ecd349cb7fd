#include "worker/trainer/augment/color_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <opencv2/imgproc.hpp>

#include "worker/trainer/augment/random_draws.h"

namespace foldstack::augment {
namespace {

// Clip to 0..255, then truncate as numpy's astype(uint8) does.
uint8_t ClipToByte(double x) { return static_cast<uint8_t>(std::clamp(x, 0.0, 255.0)); }

// A copy to run an in-place op on.
template <typename InPlaceOp>
cv::Mat OnCopy(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng, InPlaceOp op) {
  cv::Mat out = rgb.clone();
  op(out, config, rng);
  return out;
}

}  // namespace

void HueSaturationValueInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  const double hue_shift = Uniform(rng, -config.hue_shift_limit, config.hue_shift_limit);
  const double sat_shift = Uniform(rng, -config.sat_shift_limit, config.sat_shift_limit);
  const double val_shift = Uniform(rng, -config.val_shift_limit, config.val_shift_limit);
  // As albumentations: no shift, no (lossy) round trip through 8-bit HSV.
  if (hue_shift == 0 && sat_shift == 0 && val_shift == 0) return;
  // One 3-channel table shifts H, S and V in a single pass.
  cv::Mat table(1, 256, CV_8UC3);
  auto* entries = table.ptr<cv::Vec3b>();
  for (int v = 0; v < 256; ++v) {
    double hue = std::fmod(v + hue_shift, 180.0);
    if (hue < 0) hue += 180.0;
    entries[v] = cv::Vec3b(static_cast<uint8_t>(hue), ClipToByte(v + sat_shift), ClipToByte(v + val_shift));
  }
  thread_local cv::Mat hsv;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
  cv::LUT(hsv, table, hsv);
  cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
}

cv::Mat HueSaturationValue(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  return OnCopy(rgb, config, rng, HueSaturationValueInPlace);
}

void BrightnessContrastInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  const double alpha = 1.0 + Uniform(rng, -config.contrast_limit, config.contrast_limit);
  const double beta = Uniform(rng, -config.brightness_limit, config.brightness_limit);
  cv::Mat table(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) table.at<uint8_t>(v) = ClipToByte(v * alpha + beta * 255.0);
  cv::LUT(rgb, table, rgb);
}

cv::Mat BrightnessContrast(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  return OnCopy(rgb, config, rng, BrightnessContrastInPlace);
}

void GaussNoiseInPlace(cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  const double sigma = std::sqrt(Uniform(rng, 10.0, config.noise_var_limit));
  // OpenCV's ziggurat normal sampler, seeded from `rng`, is far faster than
  // std::normal_distribution and just as reproducible.
  cv::RNG normal(rng());
  const int width = rgb.cols * rgb.channels();
  thread_local cv::Mat noise;
  noise.create(1, width, CV_32F);
  const float* n = noise.ptr<float>();
  for (int y = 0; y < rgb.rows; ++y) {
    normal.fill(noise, cv::RNG::NORMAL, 0.0, sigma);
    uint8_t* row = rgb.ptr<uint8_t>(y);
    for (int x = 0; x < width; ++x) {
      // Clip, then truncate like albumentations' astype(uint8).
      row[x] = static_cast<uint8_t>(std::clamp(row[x] + n[x], 0.0f, 255.0f));
    }
  }
}

cv::Mat GaussNoise(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  return OnCopy(rgb, config, rng, GaussNoiseInPlace);
}

}  // namespace foldstack::augment
