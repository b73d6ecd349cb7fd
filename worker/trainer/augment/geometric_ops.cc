#include "worker/trainer/augment/geometric_ops.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "worker/trainer/augment/random_draws.h"

namespace foldstack::augment {

cv::Rect CenterCropRect(cv::Size image, int crop, double decoded_scale) {
  if (crop <= 0) return cv::Rect(0, 0, image.width, image.height);
  const int side = std::max(1, static_cast<int>(std::lround(crop * decoded_scale)));
  const int width = std::min(side, image.width);
  const int height = std::min(side, image.height);
  return cv::Rect((image.width - width) / 2, (image.height - height) / 2, width, height);
}

cv::Rect RandomResizedCropRect(cv::Size image, double scale_min, std::mt19937_64& rng) {
  const double area = static_cast<double>(image.width) * image.height;
  const double log_lo = std::log(3.0 / 4.0), log_hi = std::log(4.0 / 3.0);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * Uniform(rng, scale_min, 1.0);
    const double aspect = std::exp(Uniform(rng, log_lo, log_hi));
    const int width = static_cast<int>(std::lround(std::sqrt(target_area * aspect)));
    const int height = static_cast<int>(std::lround(std::sqrt(target_area / aspect)));
    if (width > 0 && height > 0 && width <= image.width && height <= image.height) {
      const int top = UniformInt(rng, 0, image.height - height);
      const int left = UniformInt(rng, 0, image.width - width);
      return cv::Rect(left, top, width, height);
    }
  }
  // Fallback: the central crop, as wide as the aspect limits allow.
  const double in_ratio = static_cast<double>(image.width) / image.height;
  int width = image.width, height = image.height;
  if (in_ratio < 3.0 / 4.0) {
    height = std::min(image.height, static_cast<int>(std::lround(width / (3.0 / 4.0))));
  } else if (in_ratio > 4.0 / 3.0) {
    width = std::min(image.width, static_cast<int>(std::lround(height * (4.0 / 3.0))));
  }
  return cv::Rect((image.width - width) / 2, (image.height - height) / 2, width, height);
}

void ResizeSquare(const cv::Mat& rgb, int size, bool bicubic, cv::Mat& out) {
  const bool shrink_a_lot = rgb.cols > 2 * size && rgb.rows > 2 * size;
  const int interpolation = shrink_a_lot ? cv::INTER_AREA : bicubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
  cv::resize(rgb, out, cv::Size(size, size), 0, 0, interpolation);
}

cv::Mat HorizontalFlip(const cv::Mat& rgb) {
  cv::Mat out;
  cv::flip(rgb, out, 1);
  return out;
}

ShiftScaleRotateDraw DrawShiftScaleRotate(const AugmentConfig& config, std::mt19937_64& rng) {
  ShiftScaleRotateDraw draw;
  draw.angle_degrees = Uniform(rng, -config.rotate_limit, config.rotate_limit);
  draw.scale = Uniform(rng, 1 - config.scale_limit, 1 + config.scale_limit);
  draw.dx = Uniform(rng, -config.shift_limit, config.shift_limit);
  draw.dy = Uniform(rng, -config.shift_limit, config.shift_limit);
  return draw;
}

cv::Matx23d ShiftScaleRotateMatrix(const ShiftScaleRotateDraw& draw, cv::Size size, bool mirror_first) {
  const cv::Point2f centre(size.width / 2.0f, size.height / 2.0f);
  cv::Matx23d m = cv::getRotationMatrix2D(centre, draw.angle_degrees, draw.scale);
  m(0, 2) += draw.dx * size.width;
  m(1, 2) += draw.dy * size.height;
  if (mirror_first) {
    // m o mirror, where mirror(x, y) = (w - 1 - x, y) maps pixel centres onto pixel centres.
    m(0, 2) += m(0, 0) * (size.width - 1);
    m(1, 2) += m(1, 0) * (size.width - 1);
    m(0, 0) = -m(0, 0);
    m(1, 0) = -m(1, 0);
  }
  return m;
}

void WarpReflect101(const cv::Mat& rgb, const cv::Matx23d& forward, cv::Mat& out) {
  cv::warpAffine(rgb, out, forward, rgb.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
}

cv::Mat ShiftScaleRotate(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng) {
  cv::Mat out;
  WarpReflect101(rgb, ShiftScaleRotateMatrix(DrawShiftScaleRotate(config, rng), rgb.size(), false), out);
  return out;
}

}  // namespace foldstack::augment
