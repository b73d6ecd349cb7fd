#include "worker/trainer/augment/color_ops.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "gtest/gtest.h"
#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment {
namespace {

using testing::ConstantImage;
using testing::GradientImage;
using testing::SameBytes;

using ColorOp = std::function<cv::Mat(const cv::Mat&, const AugmentConfig&, std::mt19937_64&)>;

struct NamedOp {
  std::string name;
  ColorOp op;
};
std::vector<NamedOp> AllOps() {
  return {{"hsv", HueSaturationValue}, {"brightness_contrast", BrightnessContrast}, {"gauss_noise", GaussNoise}};
}

TEST(ColorOpsTest, KeepShapeTypeAndInputAndAreSeeded) {
  const cv::Mat image = GradientImage(33, 47);
  const cv::Mat before = image.clone();
  for (const NamedOp& named : AllOps()) {
    std::mt19937_64 a(11), b(11), c(12);
    const cv::Mat out = named.op(image, AugmentConfig{}, a);
    EXPECT_EQ(out.size(), image.size()) << named.name;
    EXPECT_EQ(out.type(), CV_8UC3) << named.name;
    EXPECT_TRUE(SameBytes(out, named.op(image, AugmentConfig{}, b))) << named.name;
    EXPECT_FALSE(SameBytes(out, named.op(image, AugmentConfig{}, c))) << named.name;
    EXPECT_FALSE(SameBytes(out, image)) << named.name;
    EXPECT_TRUE(SameBytes(image, before)) << named.name << " changed its input";
  }
}

TEST(ColorOpsTest, ZeroLimitsAreTheIdentity) {
  AugmentConfig config;
  config.hue_shift_limit = config.sat_shift_limit = config.val_shift_limit = 0;
  config.brightness_limit = config.contrast_limit = 0;
  const cv::Mat image = GradientImage(20, 20);
  std::mt19937_64 rng(1);
  EXPECT_TRUE(SameBytes(HueSaturationValue(image, config, rng), image));
  EXPECT_TRUE(SameBytes(BrightnessContrast(image, config, rng), image));
}

TEST(BrightnessContrastTest, BrightnessAloneAddsOneOffsetWithinTheLimit) {
  AugmentConfig config;
  config.contrast_limit = 0;
  config.brightness_limit = 0.1;  // at most 25.5 grey levels
  const cv::Mat image = GradientImage(16, 200);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    const cv::Mat out = BrightnessContrast(image, config, rng);
    // Pixels away from the clip limits all move by the same whole step (truncation can
    // make it differ by one between pixels).
    double lo = 1e9, hi = -1e9;
    for (int x = 40; x < 160; ++x) {
      const double delta = out.at<cv::Vec3b>(0, x)[0] - image.at<cv::Vec3b>(0, x)[0];
      lo = std::min(lo, delta);
      hi = std::max(hi, delta);
    }
    EXPECT_LE(hi - lo, 1) << seed;
    EXPECT_LE(std::abs(lo), 26) << seed;
  }
}

TEST(BrightnessContrastTest, ContrastAloneScalesValues) {
  AugmentConfig config;
  config.brightness_limit = 0;
  config.contrast_limit = 0.2;
  const cv::Mat image = ConstantImage(4, 4, cv::Vec3b(50, 100, 200));
  std::mt19937_64 rng(2);
  const cv::Vec3b out = BrightnessContrast(image, config, rng).at<cv::Vec3b>(0, 0);
  const double alpha = out[1] / 100.0;
  EXPECT_GE(alpha, 0.79);
  EXPECT_LE(alpha, 1.21);
  EXPECT_NEAR(out[0], std::min(255.0, 50 * alpha), 1.01);
  EXPECT_NEAR(out[2], std::min(255.0, 200 * alpha), 2.01);
}

TEST(HueSaturationValueTest, ValueShiftKeepsGreyGrey) {
  AugmentConfig config;
  config.hue_shift_limit = config.sat_shift_limit = 0;
  config.val_shift_limit = 20;
  const cv::Mat grey = ConstantImage(4, 4, cv::Vec3b(120, 120, 120));
  std::mt19937_64 rng(3);
  const cv::Vec3b out = HueSaturationValue(grey, config, rng).at<cv::Vec3b>(2, 2);
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[1], out[2]);
  EXPECT_NE(out[0], 120);
  EXPECT_LE(std::abs(out[0] - 120), 20);
}

TEST(HueSaturationValueTest, HueShiftStaysWithinTheLimit) {
  AugmentConfig config;
  config.hue_shift_limit = 20;  // OpenCV hue units: 2 degrees each
  config.sat_shift_limit = config.val_shift_limit = 0;
  const cv::Mat red = ConstantImage(2, 2, cv::Vec3b(255, 0, 0));
  bool moved = false;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    std::mt19937_64 rng(seed);
    cv::Mat hsv;
    cv::cvtColor(HueSaturationValue(red, config, rng), hsv, cv::COLOR_RGB2HSV);
    const cv::Vec3b p = hsv.at<cv::Vec3b>(0, 0);
    const int hue_distance = std::min<int>(p[0], 180 - p[0]);  // red is hue 0
    EXPECT_LE(hue_distance, 21) << seed;
    EXPECT_GE(p[1], 250) << seed;  // still fully saturated
    EXPECT_GE(p[2], 250) << seed;
    moved = moved || hue_distance > 2;
  }
  EXPECT_TRUE(moved);
}

TEST(GaussNoiseTest, VarianceWithinLimitsAndMeanNearZero) {
  AugmentConfig config;
  config.noise_var_limit = 50;
  const cv::Mat grey = ConstantImage(128, 128, cv::Vec3b(128, 128, 128));
  for (uint64_t seed = 0; seed < 5; ++seed) {
    std::mt19937_64 rng(seed);
    cv::Mat diff;
    GaussNoise(grey, config, rng).convertTo(diff, CV_64F);
    diff -= cv::Scalar::all(128);
    cv::Scalar mean, stddev;
    cv::meanStdDev(diff.reshape(1), mean, stddev);
    // Truncation to integers lowers the mean by about half a grey level.
    EXPECT_NEAR(mean[0], -0.5, 0.2) << seed;
    const double variance = stddev[0] * stddev[0];
    EXPECT_GE(variance, 10 * 0.95) << seed;
    EXPECT_LE(variance, 50 * 1.05 + 0.1) << seed;
  }
}

TEST(GaussNoiseTest, ClipsToTheByteRange) {
  AugmentConfig config;
  config.noise_var_limit = 2000;
  const cv::Mat black = ConstantImage(64, 64, cv::Vec3b(0, 0, 0));
  std::mt19937_64 rng(1);
  const cv::Mat out = GaussNoise(black, config, rng);
  double lo = 0, hi = 0;
  cv::minMaxLoc(out.reshape(1), &lo, &hi);
  EXPECT_EQ(lo, 0);
  EXPECT_GT(hi, 50);  // positive draws survive, negative ones clip at 0
}

}  // namespace
}  // namespace foldstack::augment
