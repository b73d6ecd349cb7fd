#include "worker/trainer/augment/geometric_ops.h"

#include <cmath>

#include "gtest/gtest.h"
#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment {
namespace {

using testing::GradientImage;
using testing::SameBytes;

TEST(CenterCropRectTest, OffIsTheWholeImage) {
  EXPECT_EQ(CenterCropRect(cv::Size(300, 200), 0, 1.0), cv::Rect(0, 0, 300, 200));
}

TEST(CenterCropRectTest, ConvertsToDecodedPixels) {
  // 100 x 100 of the original is 50 x 50 of a half-size decode.
  EXPECT_EQ(CenterCropRect(cv::Size(300, 200), 100, 1.0), cv::Rect(100, 50, 100, 100));
  EXPECT_EQ(CenterCropRect(cv::Size(150, 100), 100, 0.5), cv::Rect(50, 25, 50, 50));
}

TEST(CenterCropRectTest, ClipsToTheImage) {
  EXPECT_EQ(CenterCropRect(cv::Size(300, 200), 250, 1.0), cv::Rect(25, 0, 250, 200));
}

TEST(RandomResizedCropRectTest, AreaAndAspectWithinBounds) {
  std::mt19937_64 rng(5);
  const cv::Size image(320, 240);
  const double area = 320.0 * 240.0;
  double smallest = 1, largest = 0;
  for (int i = 0; i < 2000; ++i) {
    const cv::Rect box = RandomResizedCropRect(image, 0.3, rng);
    ASSERT_EQ(box & cv::Rect(0, 0, 320, 240), box) << "box leaves the image";
    const double fraction = box.area() / area;
    // Rounding the sides to whole pixels moves the area a little.
    ASSERT_GE(fraction, 0.3 * 0.98);
    ASSERT_LE(fraction, 1.0);
    const double aspect = static_cast<double>(box.width) / box.height;
    ASSERT_GE(aspect, 0.75 * 0.97);
    ASSERT_LE(aspect, 4.0 / 3.0 * 1.03);
    smallest = std::min(smallest, fraction);
    largest = std::max(largest, fraction);
  }
  EXPECT_LT(smallest, 0.32);
  EXPECT_GT(largest, 0.9);
}

TEST(RandomResizedCropRectTest, SameSeedSameBox) {
  std::mt19937_64 a(9), b(9);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(RandomResizedCropRect(cv::Size(100, 80), 0.08, a), RandomResizedCropRect(cv::Size(100, 80), 0.08, b));
  }
}

TEST(RandomResizedCropRectTest, FallsBackToACentralCropOfAllowedAspect) {
  // No box of area >= 8% and aspect <= 4/3 fits a 1000 x 10 strip.
  std::mt19937_64 rng(1);
  EXPECT_EQ(RandomResizedCropRect(cv::Size(1000, 10), 0.08, rng), cv::Rect(493, 0, 13, 10));
}

TEST(ResizeSquareTest, SizeTypeAndConstantKeptOnEveryPath) {
  const cv::Mat grey = testing::ConstantImage(300, 200, cv::Vec3b(17, 130, 250));
  for (int size : {32, 150, 400}) {       // area (shrink > 2x), shrink, enlarge
    for (bool bicubic : {false, true}) {
      cv::Mat out;
      ResizeSquare(grey, size, bicubic, out);
      EXPECT_TRUE(SameBytes(out, testing::ConstantImage(size, size, cv::Vec3b(17, 130, 250))))
          << size << " " << bicubic;
    }
  }
}

TEST(HorizontalFlipTest, IsTheMirror) {
  const cv::Mat image = GradientImage(20, 30);
  const cv::Mat flipped = HorizontalFlip(image);
  ASSERT_EQ(flipped.size(), image.size());
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 30; ++x) ASSERT_EQ(flipped.at<cv::Vec3b>(y, x), image.at<cv::Vec3b>(y, 29 - x));
  }
  EXPECT_FALSE(SameBytes(flipped, image));
}

TEST(ShiftScaleRotateTest, ZeroLimitsAreTheIdentity) {
  AugmentConfig config;
  config.shift_limit = config.scale_limit = config.rotate_limit = 0;
  std::mt19937_64 rng(1);
  const cv::Mat image = GradientImage(40, 50);
  EXPECT_TRUE(SameBytes(ShiftScaleRotate(image, config, rng), image));
}

TEST(ShiftScaleRotateTest, DeterministicUnderASeedAndKeepsShape) {
  AugmentConfig config;
  const cv::Mat image = GradientImage(40, 50);
  std::mt19937_64 a(3), b(3), c(4);
  const cv::Mat out = ShiftScaleRotate(image, config, a);
  EXPECT_EQ(out.size(), image.size());
  EXPECT_EQ(out.type(), CV_8UC3);
  EXPECT_TRUE(SameBytes(out, ShiftScaleRotate(image, config, b)));
  EXPECT_FALSE(SameBytes(out, ShiftScaleRotate(image, config, c)));
  EXPECT_FALSE(SameBytes(out, image));
}

TEST(ShiftScaleRotateTest, DrawsStayWithinLimits) {
  AugmentConfig config;
  std::mt19937_64 rng(8);
  for (int i = 0; i < 1000; ++i) {
    const ShiftScaleRotateDraw d = DrawShiftScaleRotate(config, rng);
    ASSERT_LE(std::abs(d.angle_degrees), 45);
    ASSERT_LE(std::abs(d.scale - 1), 0.1);
    ASSERT_LE(std::abs(d.dx), 0.0625);
    ASSERT_LE(std::abs(d.dy), 0.0625);
  }
}

TEST(ShiftScaleRotateMatrixTest, ShiftMovesContentAndBordersReflect101) {
  // dx = 2 / 40: content moves 2 pixels right; columns 0 and 1 reflect columns 2 and 1.
  const cv::Mat image = GradientImage(10, 40);
  ShiftScaleRotateDraw draw;
  draw.dx = 2.0 / 40;
  cv::Mat out;
  WarpReflect101(image, ShiftScaleRotateMatrix(draw, image.size(), false), out);
  for (int y = 0; y < 10; ++y) {
    for (int x = 2; x < 40; ++x) ASSERT_EQ(out.at<cv::Vec3b>(y, x), image.at<cv::Vec3b>(y, x - 2));
    EXPECT_EQ(out.at<cv::Vec3b>(y, 0), image.at<cv::Vec3b>(y, 2));
    EXPECT_EQ(out.at<cv::Vec3b>(y, 1), image.at<cv::Vec3b>(y, 1));
  }
}

TEST(ShiftScaleRotateMatrixTest, RotatesCounterClockwiseAboutTheCentre) {
  ShiftScaleRotateDraw draw;
  draw.angle_degrees = 90;
  const cv::Matx23d m = ShiftScaleRotateMatrix(draw, cv::Size(40, 40), false);
  // The centre stays; a point right of it goes above it (y grows downwards).
  const cv::Vec3d centre(20, 20, 1), right(30, 20, 1);
  EXPECT_NEAR((m * centre)[0], 20, 1e-9);
  EXPECT_NEAR((m * centre)[1], 20, 1e-9);
  EXPECT_NEAR((m * right)[0], 20, 1e-9);
  EXPECT_NEAR((m * right)[1], 10, 1e-9);
}

TEST(ShiftScaleRotateMatrixTest, MirrorFirstIsFlipThenWarp) {
  const cv::Mat image = GradientImage(30, 40);
  cv::Mat out;
  WarpReflect101(image, ShiftScaleRotateMatrix(ShiftScaleRotateDraw{}, image.size(), true), out);
  EXPECT_TRUE(SameBytes(out, HorizontalFlip(image)));

  ShiftScaleRotateDraw draw;
  draw.angle_degrees = 30;
  draw.scale = 1.05;
  draw.dx = 0.05;
  cv::Mat fused, two_steps;
  WarpReflect101(image, ShiftScaleRotateMatrix(draw, image.size(), true), fused);
  WarpReflect101(HorizontalFlip(image), ShiftScaleRotateMatrix(draw, image.size(), false), two_steps);
  // Same map up to warpAffine's 1/32-pixel fixed-point coordinates: at most one
  // step across the checker's 160-level edges (5 levels), and rarely even that.
  EXPECT_LE(cv::norm(fused, two_steps, cv::NORM_INF), 5);
  EXPECT_LT(cv::norm(fused, two_steps, cv::NORM_L1) / fused.total(), 0.1);
}

}  // namespace
}  // namespace foldstack::augment
