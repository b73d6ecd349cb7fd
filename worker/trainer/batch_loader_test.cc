#include "worker/trainer/batch_loader.h"

#include <cmath>

#include "gtest/gtest.h"
#include "worker/trainer/testing/pattern_images.h"

namespace foldstack::trainer {
namespace {

// Returns a fixed gradient image: R = x * 10, G = y * 10, B = 255.
class GradientProvider : public ImageProvider {
 public:
  absl::StatusOr<data::DecodedImage> Decode(const std::string& key, const data::DecodeTarget& target) const override {
    const int size = target.min_width;
    if (key == "wrong-type") return data::DecodedImage{cv::Mat(size, size, CV_8UC1, cv::Scalar(0))};
    if (key.rfind("missing", 0) == 0) return absl::NotFoundError(key + ": no such file");
    cv::Mat image(size, size, CV_8UC3);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 10, y * 10, 255);
    return data::DecodedImage{image};
  }
};

float Normalized(int value, int channel) { return (value / 255.0f - kImageNetMean[channel]) / kImageNetStd[channel]; }

TEST(BatchLoaderTest, WritesNormalizedChwAndMirrorsFlippedItems) {
  constexpr int kSize = 4;
  GradientProvider images;
  std::vector<float> out(2 * 3 * kSize * kSize, -100.0f);
  ASSERT_TRUE(LoadBatch(images, {{"a", false}, {"b", true}}, kSize, 2, out.data()).ok());
  auto at = [&](int n, int c, int y, int x) { return out[((n * 3 + c) * kSize + y) * kSize + x]; };
  EXPECT_FLOAT_EQ(at(0, 0, 2, 1), Normalized(10, 0));  // R = x * 10
  EXPECT_FLOAT_EQ(at(0, 1, 2, 1), Normalized(20, 1));  // G = y * 10
  EXPECT_FLOAT_EQ(at(0, 2, 3, 3), Normalized(255, 2));
  EXPECT_FLOAT_EQ(at(1, 0, 2, 0), Normalized(30, 0));  // mirrored: x = 0 shows x = 3
  EXPECT_FLOAT_EQ(at(1, 1, 2, 0), Normalized(20, 1));
}

TEST(BatchLoaderTest, FirstFailingItemDecidesTheError) {
  GradientProvider images;
  std::vector<BatchItem> items;
  for (int i = 0; i < 20; ++i) items.push_back({"ok", false});
  items[7].key = "missing-7.jpg";
  items[15].key = "missing-15.jpg";
  std::vector<float> out(items.size() * 3 * 8 * 8);
  for (int threads : {1, 3, 8}) {
    absl::Status status = LoadBatch(images, items, 8, threads, out.data());
    EXPECT_EQ(status.message(), "missing-7.jpg: no such file") << threads;
  }
}

TEST(BatchLoaderTest, RefusesImagesOfTheWrongType) {
  GradientProvider images;
  std::vector<float> out(3 * 8 * 8);
  absl::Status status = LoadBatch(images, {{"wrong-type", false}}, 8, 1, out.data());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("wrong-type: image provider returned a 8x8 image of OpenCV type 0"),
            std::string::npos)
      << status;
}

TEST(BatchLoaderTest, PatternImagesAreDeterministicAndClassDependent) {
  testing::PatternImageProvider images;
  std::vector<float> a(3 * 16 * 16), b(3 * 16 * 16), c(3 * 16 * 16);
  ASSERT_TRUE(LoadBatch(images, {{"pattern/0/1", false}}, 16, 1, a.data()).ok());
  ASSERT_TRUE(LoadBatch(images, {{"pattern/0/1", false}}, 16, 1, b.data()).ok());
  ASSERT_TRUE(LoadBatch(images, {{"pattern/1/1", false}}, 16, 1, c.data()).ok());
  EXPECT_EQ(a, b);
  // Class 0 is red-dominant, class 1 green-dominant: compare mean R - G.
  auto red_minus_green = [](const std::vector<float>& v) {
    double sum = 0;
    for (int i = 0; i < 256; ++i) sum += v[i] * kImageNetStd[0] - v[256 + i] * kImageNetStd[1];
    return sum;
  };
  EXPECT_GT(red_minus_green(a), red_minus_green(c) + 50);
  EXPECT_FALSE(LoadBatch(images, {{"pattern/4/1", false}}, 16, 1, a.data()).ok());
}

}  // namespace
}  // namespace foldstack::trainer
