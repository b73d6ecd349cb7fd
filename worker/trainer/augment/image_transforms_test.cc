#include "worker/trainer/augment/image_transforms.h"

#include <cmath>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment {
namespace {

using testing::ConstantImage;
using testing::GradientImage;
using testing::SameBytes;

constexpr int kSize = 32;

// Every random op off.
AugmentConfig Plain() {
  AugmentConfig config;
  config.image_size = kSize;
  config.hflip = 0;
  return config;
}

// Every random op on, with their default limits.
AugmentConfig Everything() {
  AugmentConfig config = Plain();
  config.random_resized_crop = config.hflip = config.shift_scale_rotate = 1;
  config.hsv = config.brightness_contrast = config.gauss_noise = 1;
  return config;
}

std::vector<float> Train(const cv::Mat& rgb, const AugmentConfig& config, uint64_t seed, double scale = 1.0) {
  std::vector<float> out(3 * config.image_size * config.image_size);
  std::mt19937_64 rng(seed);
  TrainTransform(rgb, scale, config, rng, out.data());
  return out;
}

std::vector<float> Eval(const cv::Mat& rgb, const AugmentConfig& config, bool mirror, double scale = 1.0) {
  std::vector<float> out(3 * config.image_size * config.image_size);
  EvalTransform(rgb, scale, config, mirror, out.data());
  return out;
}

TEST(TrainTransformTest, AllOpsOffNormalisesAConstantImage) {
  const AugmentConfig config = Plain();
  const std::vector<float> out = Train(ConstantImage(50, 70, cv::Vec3b(10, 100, 240)), config, 1);
  const float values[3] = {10, 100, 240};
  for (int c = 0; c < 3; ++c) {
    const float expected = (values[c] / 255.0f - config.mean[c]) / config.std[c];
    for (int i = 0; i < kSize * kSize; ++i) ASSERT_NEAR(out[c * kSize * kSize + i], expected, 1e-6);
  }
}

TEST(TrainTransformTest, AllOpsOffIsTheEvalTransform) {
  const cv::Mat image = GradientImage(50, 70);
  EXPECT_EQ(Train(image, Plain(), 1), Eval(image, Plain(), false));
}

TEST(TrainTransformTest, EachOpAtProbabilityZeroIsOffAndAtOneApplies) {
  const cv::Mat image = GradientImage(48, 64);
  const std::vector<float> plain = Train(image, Plain(), 1);
  double AugmentConfig::*ops[] = {&AugmentConfig::random_resized_crop, &AugmentConfig::hflip,
                                  &AugmentConfig::shift_scale_rotate,  &AugmentConfig::hsv,
                                  &AugmentConfig::brightness_contrast, &AugmentConfig::gauss_noise};
  for (double AugmentConfig::*op : ops) {
    AugmentConfig config = Plain();
    config.*op = 1;
    EXPECT_NE(Train(image, config, 1), plain) << "op " << (&op - ops);
    config = Everything();
    for (double AugmentConfig::*other : ops) config.*other = 0;
    EXPECT_EQ(Train(image, config, 1), plain) << "op " << (&op - ops);
  }
}

TEST(TrainTransformTest, HflipIsTheMirror) {
  const cv::Mat image = GradientImage(40, 40);
  AugmentConfig config = Plain();
  config.hflip = 1;
  EXPECT_EQ(Train(image, config, 3), Eval(image, config, true));
  EXPECT_NE(Train(image, config, 3), Eval(image, config, false));
}

TEST(TrainTransformTest, HflipFoldedIntoTheWarpIsStillTheMirror) {
  const cv::Mat image = GradientImage(40, 40);
  AugmentConfig config = Plain();
  config.hflip = config.shift_scale_rotate = 1;
  config.shift_limit = config.scale_limit = config.rotate_limit = 0;
  EXPECT_EQ(Train(image, config, 3), Eval(image, config, true));
}

TEST(TrainTransformTest, SeededWhateverTheThread) {
  const cv::Mat image = GradientImage(60, 45);
  const cv::Mat before = image.clone();
  const AugmentConfig config = Everything();
  const std::vector<float> first = Train(image, config, 42);
  std::vector<float> other_thread;
  std::thread([&] { other_thread = Train(image, config, 42); }).join();
  EXPECT_EQ(first, other_thread);
  EXPECT_EQ(first, Train(image, config, 42));
  EXPECT_NE(first, Train(image, config, 43));
  EXPECT_TRUE(SameBytes(image, before));
}

TEST(TrainTransformTest, OutputsStayInTheNormalisedRange) {
  const cv::Mat image = GradientImage(60, 45);
  const AugmentConfig config = Everything();
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> out = Train(image, config, seed);
    for (int c = 0; c < 3; ++c) {
      const float lo = (0 - config.mean[c]) / config.std[c] - 1e-5f;
      const float hi = (1 - config.mean[c]) / config.std[c] + 1e-5f;
      for (int i = 0; i < kSize * kSize; ++i) {
        const float v = out[c * kSize * kSize + i];
        ASSERT_TRUE(std::isfinite(v));
        ASSERT_GE(v, lo);
        ASSERT_LE(v, hi);
      }
    }
  }
}

// 200 x 200 picture whose central 100 x 100 is red, the rest blue; `scale` 0.5
// draws it as a half-size JPEG decode would.
cv::Mat FramedImage(double scale) {
  const int side = static_cast<int>(200 * scale), inner = static_cast<int>(100 * scale);
  cv::Mat image = ConstantImage(side, side, cv::Vec3b(0, 0, 255));
  image(cv::Rect((side - inner) / 2, (side - inner) / 2, inner, inner)).setTo(cv::Scalar(255, 0, 0));
  return image;
}

TEST(CenterCropTest, RespectsTheDecodedScale) {
  AugmentConfig config = Plain();
  config.center_crop = 100;
  config.normalize = false;
  const std::vector<float> red = Train(ConstantImage(10, 10, cv::Vec3b(255, 0, 0)), config, 1);
  EXPECT_EQ(Train(FramedImage(1.0), config, 1), red);
  EXPECT_EQ(Train(FramedImage(0.5), config, 1, 0.5), red);
  EXPECT_EQ(Eval(FramedImage(0.5), config, false, 0.5), red);
  // Read as full resolution, the half-size decode's crop takes in the blue frame.
  EXPECT_NE(Train(FramedImage(0.5), config, 1, 1.0), red);
}

TEST(RandomResizedCropTest, CropsWithinTheAreaBounds) {
  const cv::Mat image = FramedImage(1.0);
  const std::vector<float> whole = Train(image, Plain(), 1);
  AugmentConfig config = Plain();
  config.random_resized_crop = 1;
  // Area fraction 1 of a square image: every draw keeps the whole image.
  config.rrc_scale_min = 1.0;
  for (uint64_t seed = 0; seed < 10; ++seed) EXPECT_EQ(Train(image, config, seed), whole) << seed;
  // Small crops zoom in: no output is the whole picture.
  config.rrc_scale_min = 0.1;
  for (uint64_t seed = 0; seed < 10; ++seed) EXPECT_NE(Train(image, config, seed), whole) << seed;
}

}  // namespace
}  // namespace foldstack::augment
