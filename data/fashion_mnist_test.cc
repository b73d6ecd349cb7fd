#include "data/fashion_mnist.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "data/dataset.h"
#include "data/image_source.h"
#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

// Installed by Debian's dataset-fashion-mnist package.
constexpr char kDebianDir[] = "/usr/share/datasets/fashion-mnist";

class RealFashionMnistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kDebianDir)) {
      GTEST_SKIP() << kDebianDir << " is missing; install the Debian package dataset-fashion-mnist to run this test";
    }
  }
};

TEST_F(RealFashionMnistTest, IndexesAllTrainingSamples) {
  auto index = LoadDatasetIndex(DatasetKind::kFashionMnist, kDebianDir);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->samples.size(), 60000u);
  EXPECT_EQ(index->num_classes, 10);
  ASSERT_EQ(index->class_names.size(), 10u);
  EXPECT_EQ(index->class_names[0], "T-shirt/top");
  EXPECT_EQ(index->class_names[9], "Ankle boot");
  std::set<int> labels;
  for (const Sample& s : index->samples) {
    ASSERT_GE(s.label, 0);
    ASSERT_LE(s.label, 9);
    labels.insert(s.label);
  }
  EXPECT_EQ(labels.size(), 10u);
  EXPECT_EQ(index->samples[123].key, "train/123");
  EXPECT_EQ(index->samples[123].group, "train/123");
  // The first training label of Fashion-MNIST is 9 (ankle boot).
  EXPECT_EQ(index->samples[0].label, 9);
}

TEST_F(RealFashionMnistTest, MaxSamplesKeepsTheFirstN) {
  auto index = LoadDatasetIndex(DatasetKind::kFashionMnist, kDebianDir, {.max_samples = 500});
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->samples.size(), 500u);
  EXPECT_EQ(index->samples.back().key, "train/499");
}

TEST_F(RealFashionMnistTest, ImageSourceGivesRgbOfTheAskedSize) {
  auto source = ImageSource::Open(DatasetKind::kFashionMnist, kDebianDir);
  ASSERT_TRUE(source.ok()) << source.status();
  for (auto [w, h] : {std::pair{28, 28}, std::pair{64, 48}, std::pair{14, 14}}) {
    auto image = (*source)->Load("train/0", w, h);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->cols, w);
    EXPECT_EQ(image->rows, h);
    EXPECT_EQ(image->type(), CV_8UC3);
  }
  auto image = (*source)->Load("train/0", 28, 28);
  // Gray replicated to 3 channels; an ankle boot is not blank.
  EXPECT_GT(cv::sum(*image)[0], 1000);
  EXPECT_EQ(cv::sum(*image)[0], cv::sum(*image)[2]);
  auto bad = (*source)->Load("train/60000", 28, 28);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "fashion_mnist key \"train/60000\": expected train/<index> with index in 0..59999");
}

TEST(FashionMnistTest, MismatchedCountsAndMissingFilesAreNamed) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/fmnist";
  std::filesystem::create_directories(dir);
  auto missing = LoadDatasetIndex(DatasetKind::kFashionMnist, dir);
  EXPECT_EQ(missing.status().message(), "dataset root " + dir +
                                            ": missing train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz)");
  // 3 labels, 2 images of 1x1.
  std::ofstream(dir + "/train-labels-idx1-ubyte", std::ios::binary) << std::string("\0\0\x08\x01\0\0\0\x03\x01\x02\x03", 11);
  std::ofstream(dir + "/train-images-idx3-ubyte", std::ios::binary)
      << std::string("\0\0\x08\x03\0\0\0\x02\0\0\0\x01\0\0\0\x01\x10\x20", 18);
  auto mismatch = LoadDatasetIndex(DatasetKind::kFashionMnist, dir);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(), dir + "/train-images-idx3-ubyte: 2 images but " + dir +
                                             "/train-labels-idx1-ubyte has 3 labels; expected the same count");
}

}  // namespace
}  // namespace foldstack::data
