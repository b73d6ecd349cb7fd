#include "worker/trainer/augment/chw_writer.h"

#include <vector>

#include "gtest/gtest.h"
#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment {
namespace {

TEST(WriteChwTest, ConstantImageGivesNormalisedPlanes) {
  const cv::Mat image = testing::ConstantImage(5, 7, cv::Vec3b(0, 128, 255));
  AugmentConfig config;
  std::vector<float> out(3 * 5 * 7);
  WriteChw(image, config, false, out.data());
  const float values[3] = {0, 128, 255};
  for (int c = 0; c < 3; ++c) {
    const float expected = (values[c] / 255.0f - config.mean[c]) / config.std[c];
    for (int i = 0; i < 35; ++i) ASSERT_NEAR(out[c * 35 + i], expected, 1e-6) << c << " " << i;
  }
}

TEST(WriteChwTest, WithoutNormalisationDividesBy255) {
  const cv::Mat image = testing::ConstantImage(2, 3, cv::Vec3b(51, 102, 255));
  AugmentConfig config;
  config.normalize = false;
  std::vector<float> out(18);
  WriteChw(image, config, false, out.data());
  EXPECT_FLOAT_EQ(out[0], 0.2f);
  EXPECT_FLOAT_EQ(out[6], 0.4f);
  EXPECT_FLOAT_EQ(out[17], 1.0f);
}

TEST(WriteChwTest, PlanesAreRowMajorAndMirrorReversesColumns) {
  const cv::Mat image = testing::GradientImage(4, 6);
  AugmentConfig config;
  config.normalize = false;
  std::vector<float> plain(72), mirrored(72);
  WriteChw(image, config, false, plain.data());
  WriteChw(image, config, true, mirrored.data());
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 6; ++x) {
        ASSERT_FLOAT_EQ(plain[c * 24 + y * 6 + x], image.at<cv::Vec3b>(y, x)[c] / 255.0f);
        ASSERT_FLOAT_EQ(mirrored[c * 24 + y * 6 + x], image.at<cv::Vec3b>(y, 5 - x)[c] / 255.0f);
      }
    }
  }
}

TEST(WriteChwTest, ReadsNonContiguousViews) {
  const cv::Mat image = testing::GradientImage(10, 10);
  const cv::Mat view = image(cv::Rect(2, 3, 4, 5));
  AugmentConfig config;
  config.normalize = false;
  std::vector<float> from_view(60), from_copy(60);
  WriteChw(view, config, false, from_view.data());
  WriteChw(view.clone(), config, false, from_copy.data());
  EXPECT_EQ(from_view, from_copy);
}

}  // namespace
}  // namespace foldstack::augment
