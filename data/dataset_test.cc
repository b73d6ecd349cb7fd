#include "data/dataset.h"

#include <cstdlib>
#include <string>

#include "data/synth.h"
#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

TEST(DatasetKindTest, ParsesAndNames) {
  EXPECT_EQ(*ParseDatasetKind("mask"), DatasetKind::kMask);
  EXPECT_EQ(*ParseDatasetKind("fashion_mnist"), DatasetKind::kFashionMnist);
  EXPECT_EQ(DatasetKindName(DatasetKind::kMask), "mask");
  EXPECT_EQ(DatasetKindName(DatasetKind::kFashionMnist), "fashion_mnist");
  auto bad = ParseDatasetKind("cifar");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown dataset kind \"cifar\", expected \"mask\" or \"fashion_mnist\"");
}

TEST(LoadDatasetIndexTest, MissingRootIsNamed) {
  for (DatasetKind kind : {DatasetKind::kMask, DatasetKind::kFashionMnist}) {
    auto index = LoadDatasetIndex(kind, "/no/such/root");
    ASSERT_FALSE(index.ok());
    EXPECT_EQ(index.status().message(), "dataset root /no/such/root: no such directory");
  }
}

TEST(LoadDatasetIndexTest, MaxSamplesKeepsTheFirstMaskSamples) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/small";
  ASSERT_TRUE(WriteSynthDataset({.out_dir = root, .people = 3, .width = 24, .height = 32}).ok());
  auto all = LoadDatasetIndex(DatasetKind::kMask, root);
  auto first = LoadDatasetIndex(DatasetKind::kMask, root, {.max_samples = 10});
  ASSERT_TRUE(all.ok() && first.ok());
  EXPECT_EQ(all->samples.size(), 21u);
  ASSERT_EQ(first->samples.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(first->samples[i].key, all->samples[i].key);
  EXPECT_EQ(all->kind, DatasetKind::kMask);
  EXPECT_EQ(all->root, root);
  EXPECT_EQ(all->num_classes, 18);
  EXPECT_EQ(all->class_names, MaskClassNames());
}

}  // namespace
}  // namespace foldstack::data
