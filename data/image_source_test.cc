#include "data/image_source.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "data/synth.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

// Two people at the competition's full 384x512.
class MaskImageSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(std::string(std::getenv("TEST_TMPDIR")) + "/full");
    ASSERT_TRUE(WriteSynthDataset({.out_dir = *root_, .people = 2, .seed = 8}).ok());
    auto index = LoadDatasetIndex(DatasetKind::kMask, *root_);
    ASSERT_TRUE(index.ok()) << index.status();
    key_ = new std::string(index->samples[0].key);
  }
  static std::string* root_;
  static std::string* key_;
};
std::string* MaskImageSourceTest::root_ = nullptr;
std::string* MaskImageSourceTest::key_ = nullptr;

TEST_F(MaskImageSourceTest, ReturnsRgbOfExactlyTheAskedSize) {
  auto source = ImageSource::Open(DatasetKind::kMask, *root_);
  ASSERT_TRUE(source.ok()) << source.status();
  for (auto [w, h] : {std::pair{384, 512}, std::pair{64, 64}, std::pair{100, 90}, std::pair{500, 600}}) {
    auto image = (*source)->Load(*key_, w, h);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->cols, w);
    EXPECT_EQ(image->rows, h);
    EXPECT_EQ(image->type(), CV_8UC3);
  }
}

TEST(ReducedDecodeFactorTest, KeepsEveryBound) {
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 48, .min_height = 64}), 8);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 49, .min_height = 64}), 4);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 96, .min_height = 128}), 4);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 128, .min_height = 128}), 2);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 224, .min_height = 224}), 1);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_scale = 0.5}), 2);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {.min_width = 16, .min_height = 16, .min_scale = 0.3}), 2);
  EXPECT_EQ(ReducedDecodeFactor(384, 512, {}), 8);
  // libjpeg rounds up: 385 / 8 gives 49 columns.
  EXPECT_EQ(ReducedDecodeFactor(385, 512, {.min_width = 49}), 8);
}

TEST_F(MaskImageSourceTest, DecodesAtTheReductionTheTargetAllows) {
  auto source = ImageSource::Open(DatasetKind::kMask, *root_);
  ASSERT_TRUE(source.ok()) << source.status();
  struct Case {
    DecodeTarget target;
    int width, height;
    double scale;
  };
  for (const Case& c : {Case{{.min_width = 224, .min_height = 224}, 384, 512, 1.0},
                        Case{{.min_width = 224, .min_height = 224, .min_scale = 0.5}, 384, 512, 1.0},
                        Case{{.min_scale = 0.5}, 192, 256, 0.5},
                        Case{{.min_width = 96, .min_height = 96}, 96, 128, 0.25},
                        Case{{}, 48, 64, 0.125}}) {
    auto decoded = (*source)->Decode(*key_, c.target);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->rgb.cols, c.width);
    EXPECT_EQ(decoded->rgb.rows, c.height);
    EXPECT_EQ(decoded->rgb.type(), CV_8UC3);
    EXPECT_DOUBLE_EQ(decoded->scale, c.scale);
  }
}

TEST_F(MaskImageSourceTest, ReducedDecodingMatchesAFullDecode) {
  auto source = ImageSource::Open(DatasetKind::kMask, *root_);
  ASSERT_TRUE(source.ok());
  auto reduced = (*source)->Load(*key_, 48, 64);  // decoded at 1/8 scale
  ASSERT_TRUE(reduced.ok()) << reduced.status();
  cv::Mat full = cv::imread(*root_ + "/" + *key_), expected;
  cv::cvtColor(full, full, cv::COLOR_BGR2RGB);
  cv::resize(full, expected, cv::Size(48, 64), 0, 0, cv::INTER_AREA);
  cv::Mat diff;
  cv::absdiff(*reduced, expected, diff);
  // Same picture (RGB order included): mean per-channel error of a few levels only.
  cv::Scalar mean = cv::mean(diff);
  for (int c = 0; c < 3; ++c) EXPECT_LT(mean[c], 8.0) << "channel " << c;
}

TEST(ImageSourceTest, ScaleComesFromTheFileHeaderWhateverItsSize) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/odd";
  fs::create_directories(root);
  cv::Mat image(301, 203, CV_8UC3, cv::Scalar(10, 120, 240));
  cv::imwrite(root + "/odd.jpg", image);
  cv::imwrite(root + "/progressive.jpg", image, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  cv::imwrite(root + "/odd.png", image);
  auto source = ImageSource::Open(DatasetKind::kMask, root);
  ASSERT_TRUE(source.ok());
  for (const char* name : {"odd.jpg", "progressive.jpg"}) {
    auto decoded = (*source)->Decode(name, {.min_width = 50, .min_height = 50});
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->rgb.cols, 51) << name;  // 203 / 4, rounded up
    EXPECT_EQ(decoded->rgb.rows, 76) << name;
    EXPECT_DOUBLE_EQ(decoded->scale, 51.0 / 203) << name;
  }
  auto png = (*source)->Decode("odd.png", {.min_width = 50, .min_height = 50});
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->rgb.size(), cv::Size(203, 301));
  EXPECT_EQ(png->scale, 1.0);
}

TEST(ImageSourceTest, ChannelOrderIsRgbAndSmallFilesAreNotReducedTooFar) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/red";
  fs::create_directories(root);
  // 40x40 pure red (BGR 0,0,255), smaller than the nominal 384x512.
  cv::imwrite(root + "/red.png", cv::Mat(40, 40, CV_8UC3, cv::Scalar(0, 0, 255)));
  auto source = ImageSource::Open(DatasetKind::kMask, root);
  ASSERT_TRUE(source.ok());
  auto image = (*source)->Load("red.png", 32, 32);
  ASSERT_TRUE(image.ok()) << image.status();
  cv::Vec3b pixel = image->at<cv::Vec3b>(16, 16);
  EXPECT_EQ(pixel, cv::Vec3b(255, 0, 0));
}

TEST(ImageSourceTest, CorruptAndMissingFilesNameTheFullPath) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/corrupt";
  fs::create_directories(root + "/train/images/p");
  std::ofstream(root + "/train/images/p/mask1.jpg") << "not a jpeg";
  // A JPEG cut short after its headers: the size is readable, the pixels are not.
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", cv::Mat(512, 384, CV_8UC3, cv::Scalar(1, 2, 3)), jpeg);
  std::ofstream(root + "/train/images/p/mask3.jpg", std::ios::binary).write(reinterpret_cast<char*>(jpeg.data()), 700);
  auto source = ImageSource::Open(DatasetKind::kMask, root);
  ASSERT_TRUE(source.ok());
  const std::string abs = fs::absolute(root).string();
  auto corrupt = (*source)->Load("train/images/p/mask1.jpg", 64, 64);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().message(), "cannot decode image " + abs + "/train/images/p/mask1.jpg: not a JPEG or PNG file");
  auto truncated = (*source)->Decode("train/images/p/mask3.jpg", {.min_scale = 0.5});
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(),
            "cannot decode image " + abs + "/train/images/p/mask3.jpg: JPEG data ends early (truncated file?)");
  auto missing = (*source)->Decode("train/images/p/mask2.jpg", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot read image " + abs + "/train/images/p/mask2.jpg: No such file or directory");
  EXPECT_FALSE((*source)->Load("train/images/p/mask1.jpg", 0, 64).ok());
  auto no_root = ImageSource::Open(DatasetKind::kMask, root + "/absent");
  EXPECT_EQ(no_root.status().message(), "dataset root " + root + "/absent: no such directory");
}

// Found by fuzzing (tests/fuzz:image_decode): an empty file reached OpenCV, whose message ends in
// a line break; a PNG header of a few bytes claiming a gigapixel made OpenCV allocate it.
TEST(ImageSourceTest, FormatAndSizeAreCheckedBeforeDecoding) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/limits";
  fs::create_directories(root);
  std::ofstream(root + "/empty.jpg");
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar(1, 2, 3)), png);
  const uchar huge[] = {0, 0, 0x9C, 0x40, 0, 0, 0x9C, 0x40};  // 40000 x 40000
  std::copy(std::begin(huge), std::end(huge), png.begin() + 16);
  std::ofstream(root + "/huge.png", std::ios::binary).write(reinterpret_cast<char*>(png.data()), png.size());
  std::ofstream(root + "/frameless.jpg", std::ios::binary) << "\xFF\xD8\xFF\xD9";
  const uchar widest[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xE9};  // 4294967295 x 4294901993
  std::copy(std::begin(widest), std::end(widest), png.begin() + 16);
  std::ofstream(root + "/widest.png", std::ios::binary).write(reinterpret_cast<char*>(png.data()), png.size());
  auto source = ImageSource::Open(DatasetKind::kMask, root);
  ASSERT_TRUE(source.ok());
  const std::string abs = fs::absolute(root).string();
  EXPECT_EQ((*source)->Load("empty.jpg", 8, 8).status().message(),
            "cannot decode image " + abs + "/empty.jpg: not a JPEG or PNG file");
  EXPECT_EQ((*source)->Load("huge.png", 8, 8).status().message(),
            "cannot decode image " + abs + "/huge.png: size 40000x40000, expected 1 to 36 megapixels");
  EXPECT_EQ((*source)->Load("frameless.jpg", 8, 8).status().message(),
            "cannot decode image " + abs + "/frameless.jpg: JPEG without a frame header before its first scan");
  EXPECT_EQ((*source)->Load("widest.png", 8, 8).status().message(),
            "cannot decode image " + abs + "/widest.png: size 4294967295x4294901993, expected 1 to 36 megapixels");
}

TEST_F(MaskImageSourceTest, LoadIsThreadSafe) {
  auto source = ImageSource::Open(DatasetKind::kMask, *root_);
  ASSERT_TRUE(source.ok());
  auto reference = (*source)->Load(*key_, 32, 32);
  ASSERT_TRUE(reference.ok());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto image = (*source)->Load(*key_, 32, 32);
        if (!image.ok() || cv::norm(*image, *reference, cv::NORM_L1) != 0) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace foldstack::data
