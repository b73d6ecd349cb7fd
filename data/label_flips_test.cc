#include "data/label_flips.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "data/fashion_mnist.h"
#include "data/idx_file.h"
#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

std::string TempDir(const std::string& name) {
  std::string dir = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(LabelFlipsTest, PlanFlipsTheRateOfDistinctSamplesToAnotherClass) {
  std::vector<uint8_t> labels(1000);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = i % 10;
  const std::vector<LabelFlip> flips = PlanLabelFlips(labels, 10, 0.05, 3);
  ASSERT_EQ(flips.size(), 50u);
  std::set<int64_t> seen;
  for (size_t k = 0; k < flips.size(); ++k) {
    const LabelFlip& f = flips[k];
    EXPECT_TRUE(seen.insert(f.index).second) << f.index;
    if (k > 0) EXPECT_LT(flips[k - 1].index, f.index);
    EXPECT_EQ(f.truth, labels[f.index]);
    EXPECT_NE(f.given, f.truth);
    EXPECT_GE(f.given, 0);
    EXPECT_LT(f.given, 10);
  }
  const std::vector<LabelFlip> again = PlanLabelFlips(labels, 10, 0.05, 3);
  const std::vector<LabelFlip> other = PlanLabelFlips(labels, 10, 0.05, 4);
  ASSERT_EQ(again.size(), flips.size());
  bool same_seed_same = true, other_seed_same = true;
  for (size_t k = 0; k < flips.size(); ++k) {
    same_seed_same = same_seed_same && again[k].index == flips[k].index && again[k].given == flips[k].given;
    other_seed_same = other_seed_same && other[k].index == flips[k].index;
  }
  EXPECT_TRUE(same_seed_same);
  EXPECT_FALSE(other_seed_same);
}

TEST(LabelFlipsTest, NewClassIsDrawnFromAllTheOthers) {
  std::vector<uint8_t> labels(9000, 4);
  std::vector<int> count(10, 0);
  for (const LabelFlip& f : PlanLabelFlips(labels, 10, 1.0, 1)) ++count[f.given];
  EXPECT_EQ(count[4], 0);
  for (int c = 0; c < 10; ++c) {
    if (c != 4) EXPECT_NEAR(count[c], 1000, 150) << "class " << c;
  }
}

TEST(LabelFlipsTest, CsvRoundTripsAndBadRowsAreOneLine) {
  const std::vector<LabelFlip> flips = {{3, 1, 7}, {12, 0, 9}};
  const std::string csv = LabelFlipsCsv(flips);
  EXPECT_EQ(csv, "sample,given,truth\ntrain/3,1,7\ntrain/12,0,9\n");
  auto parsed = ParseLabelFlipsCsv(csv);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].index, 12);
  EXPECT_EQ((*parsed)[1].given, 0);
  EXPECT_EQ((*parsed)[1].truth, 9);
  EXPECT_EQ(ParseLabelFlipsCsv("sample,given,truth\ntrain/x,1,2\n").status().message(),
            "label_noise.csv:2: \"train/x,1,2\", expected train/<index>,<given>,<truth>");
  EXPECT_EQ(ParseLabelFlipsCsv("person,kind,given,truth\n").status().message(),
            "label_noise.csv:1: header \"person,kind,given,truth\", expected \"sample,given,truth\"");
}

TEST(LabelFlipsTest, WritesAFashionMnistRootWithTheFirstSamplesAndTheFlips) {
  const std::string from = TempDir("flips_from"), out = TempDir("flips_out") + "/copy";
  IdxArray images{{20, 2, 2}, {}}, labels{{20}, {}};
  for (int i = 0; i < 20; ++i) {
    for (int p = 0; p < 4; ++p) images.data.push_back(static_cast<uint8_t>(i * 4 + p));
    labels.data.push_back(static_cast<uint8_t>(i % 10));
  }
  ASSERT_TRUE(WriteIdxFile(from + "/" + kFashionImagesFile, kIdxImagesMagic, images).ok());
  ASSERT_TRUE(WriteIdxFile(from + "/" + kFashionLabelsFile, kIdxLabelsMagic, labels).ok());

  auto report = WriteFlippedFashionMnist({from, out, 0.25, 5, 12});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->samples, 12);
  EXPECT_EQ(report->flipped, 3);
  std::stringstream csv;
  csv << std::ifstream(out + "/label_noise.csv").rdbuf();
  auto flips = ParseLabelFlipsCsv(csv.str());
  ASSERT_TRUE(flips.ok()) << flips.status();
  ASSERT_EQ(flips->size(), 3u);

  auto index = LoadFashionMnistIndex(out);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->samples.size(), 12u);
  std::vector<int> expected(12);
  for (int i = 0; i < 12; ++i) expected[i] = i % 10;
  for (const LabelFlip& f : *flips) {
    EXPECT_EQ(f.truth, expected[f.index]);
    expected[f.index] = f.given;
  }
  for (int i = 0; i < 12; ++i) EXPECT_EQ(index->samples[i].label, expected[i]) << i;
  auto copied = ReadFashionMnistImages(out);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->dims, (std::vector<uint32_t>{12, 2, 2}));
  EXPECT_EQ(copied->data, std::vector<uint8_t>(images.data.begin(), images.data.begin() + 48));
}

TEST(LabelFlipsTest, BadOptionsAreOneLine) {
  EXPECT_EQ(WriteFlippedFashionMnist({"a", "b", 1.5, 0, 0}).status().message(),
            "flip-labels: --rate 1.5, expected a rate in [0, 1]");
  EXPECT_EQ(WriteFlippedFashionMnist({"", "b", 0.1, 0, 0}).status().message(),
            "flip-labels: --from and --out are required");
}

}  // namespace
}  // namespace foldstack::data
