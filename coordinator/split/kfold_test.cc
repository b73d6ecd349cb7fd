#include "coordinator/split/kfold.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace foldstack::split {
namespace {

// A mask-like data set: `people` persons with 7 photos each; the person's
// gender x age bin (0..5) is fixed, photos are 5 x wear, 1 x incorrect, 1 x normal.
struct Data {
  std::vector<int> labels;
  std::vector<std::string> groups;
  std::vector<int> person_class;  // gender x age bin per person
};

Data MakeMaskLike(int people) {
  Data d;
  for (int p = 0; p < people; ++p) {
    // Uneven strata like the real data (many young women, few over 60).
    int r = (p * 7919) % 100;
    int person_class = r < 30 ? 3 : r < 55 ? 4 : r < 60 ? 5 : r < 78 ? 0 : r < 96 ? 1 : 2;
    d.person_class.push_back(person_class);
    for (int photo = 0; photo < 7; ++photo) {
      int mask = photo < 5 ? 0 : photo - 4;
      d.labels.push_back(6 * mask + person_class);
      d.groups.push_back(absl::StrCat("person", p));
    }
  }
  return d;
}

TEST(AssignFoldsTest, GroupsNeverSpanTwoFolds) {
  Data d = MakeMaskLike(100);
  auto folds = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 3});
  ASSERT_TRUE(folds.ok()) << folds.status();
  std::map<std::string, std::set<int>> folds_of_group;
  for (size_t i = 0; i < folds->size(); ++i) folds_of_group[d.groups[i]].insert((*folds)[i]);
  for (const auto& [group, fs] : folds_of_group) EXPECT_EQ(fs.size(), 1u) << group;
  for (int f : *folds) {
    EXPECT_GE(f, 0);
    EXPECT_LT(f, 5);
  }
}

// With groups, photo counts per class cannot be within one of ideal: a person
// contributes 5 "wear" photos at once, so a fold's wear count moves in steps of 5.
// The guarantee is on groups: each stratum's per-fold group count is floor/ceil.
TEST(AssignFoldsTest, GroupedStrataAreWithinOneGroupOfIdeal) {
  const int k = 5;
  Data d = MakeMaskLike(123);
  auto folds = AssignFolds(d.labels, d.groups, {.k = k, .seed = 11});
  ASSERT_TRUE(folds.ok()) << folds.status();
  std::map<int, std::vector<int>> groups_per_fold;  // stratum -> count per fold
  std::map<int, int> stratum_size;
  for (int p = 0; p < 123; ++p) {
    auto& counts = groups_per_fold[d.person_class[p]];
    counts.resize(k, 0);
    ++counts[(*folds)[p * 7]];
    ++stratum_size[d.person_class[p]];
  }
  for (const auto& [stratum, counts] : groups_per_fold) {
    int n = stratum_size[stratum];
    for (int c : counts) {
      EXPECT_GE(c, n / k) << "stratum " << stratum;
      EXPECT_LE(c, (n + k - 1) / k) << "stratum " << stratum;
    }
  }
}

TEST(AssignFoldsTest, UngroupedClassCountsAreWithinOneOfIdeal) {
  const int k = 4;
  std::vector<int> labels;
  std::vector<std::string> groups;
  for (int i = 0; i < 1003; ++i) {
    labels.push_back((i * i + 3 * i) % 7);  // uneven class sizes
    groups.push_back("same");  // ignored with group = false
  }
  auto folds = AssignFolds(labels, groups, {.k = k, .seed = 5, .group = false});
  ASSERT_TRUE(folds.ok()) << folds.status();
  std::map<int, std::vector<int>> per_fold;
  std::map<int, int> total;
  for (size_t i = 0; i < labels.size(); ++i) {
    per_fold[labels[i]].resize(k, 0);
    ++per_fold[labels[i]][(*folds)[i]];
    ++total[labels[i]];
  }
  for (const auto& [label, counts] : per_fold) {
    double ideal = static_cast<double>(total[label]) / k;
    for (int c : counts) EXPECT_LT(std::abs(c - ideal), 1.0) << "class " << label;
  }
}

TEST(AssignFoldsTest, FoldSizesAreBalanced) {
  Data d = MakeMaskLike(500);
  for (bool stratify : {true, false}) {
    auto folds = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 2, .stratify = stratify});
    ASSERT_TRUE(folds.ok()) << folds.status();
    std::vector<int> size(5, 0);
    for (int f : *folds) ++size[f];
    auto [lo, hi] = std::minmax_element(size.begin(), size.end());
    // 3500 photos: 700 per fold; groups are 7 photos, so at most one group apart.
    EXPECT_LE(*hi - *lo, 7) << "stratify=" << stratify;
  }
}

TEST(AssignFoldsTest, SameSeedSameSplitDifferentSeedDifferentSplit) {
  Data d = MakeMaskLike(200);
  auto a = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 42});
  auto b = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 42});
  auto c = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 43});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

TEST(AssignFoldsTest, StratifyFalseStillKeepsGroupsTogether) {
  Data d = MakeMaskLike(50);
  auto folds = AssignFolds(d.labels, d.groups, {.k = 3, .seed = 1, .stratify = false});
  ASSERT_TRUE(folds.ok()) << folds.status();
  for (int p = 0; p < 50; ++p) {
    for (int photo = 1; photo < 7; ++photo) EXPECT_EQ((*folds)[p * 7 + photo], (*folds)[p * 7]);
  }
}

TEST(AssignFoldsTest, RejectsBadArguments) {
  std::vector<int> labels = {0, 1, 0};
  std::vector<std::string> groups = {"a", "b", "a"};
  auto k1 = AssignFolds(labels, groups, {.k = 1});
  EXPECT_FALSE(k1.ok());
  EXPECT_NE(k1.status().message().find("k >= 2"), std::string::npos) << k1.status();
  auto too_many = AssignFolds(labels, groups, {.k = 3});  // only 2 groups
  EXPECT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("only 2 groups"), std::string::npos) << too_many.status();
  auto ungrouped = AssignFolds(labels, groups, {.k = 3, .group = false});  // 3 samples = 3 groups
  EXPECT_TRUE(ungrouped.ok()) << ungrouped.status();
  auto sizes = AssignFolds({0, 1}, {"a"}, {.k = 2});
  EXPECT_FALSE(sizes.ok());
  EXPECT_NE(sizes.status().message().find("2 labels but 1 groups"), std::string::npos) << sizes.status();
}

TEST(AssignFoldsTest, RealisticSizeIsFast) {
  Data d = MakeMaskLike(2700);  // the competition's train set: 2,700 people x 7 photos
  auto start = std::chrono::steady_clock::now();
  auto folds = AssignFolds(d.labels, d.groups, {.k = 5, .seed = 9});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(folds.ok()) << folds.status();
  EXPECT_EQ(folds->size(), 2700u * 7);
  EXPECT_LT(seconds, 0.25);
}

}  // namespace
}  // namespace foldstack::split
