#include "data/mask_labels.h"

#include <set>

#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

TEST(MaskLabelsTest, AgeBinBoundaries) {
  EXPECT_EQ(AgeBin(18), 0);
  EXPECT_EQ(AgeBin(29), 0);
  EXPECT_EQ(AgeBin(30), 1);
  EXPECT_EQ(AgeBin(59), 1);
  EXPECT_EQ(AgeBin(60), 2);
  EXPECT_EQ(AgeBin(80), 2);
}

TEST(MaskLabelsTest, ClassFormulaAndNames) {
  EXPECT_EQ(MaskClass(kMaskWear, kMale, 0), 0);
  EXPECT_EQ(MaskClass(kMaskWear, kFemale, 2), 5);
  EXPECT_EQ(MaskClass(kMaskIncorrect, kMale, 1), 7);
  EXPECT_EQ(MaskClass(kMaskNotWorn, kFemale, 2), 17);
  const auto& names = MaskClassNames();
  ASSERT_EQ(names.size(), 18u);
  EXPECT_EQ(names[0], "wear/male/<30");
  EXPECT_EQ(names[7], "incorrect/male/30-59");
  EXPECT_EQ(names[17], "normal/female/>=60");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 18u);
}

TEST(MaskLabelsTest, PhotoOrderAndStates) {
  EXPECT_STREQ(kMaskPhotoNames[0], "mask1");
  EXPECT_STREQ(kMaskPhotoNames[5], "incorrect_mask");
  EXPECT_STREQ(kMaskPhotoNames[6], "normal");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(MaskStateOfPhoto(i), kMaskWear);
  EXPECT_EQ(MaskStateOfPhoto(5), kMaskIncorrect);
  EXPECT_EQ(MaskStateOfPhoto(6), kMaskNotWorn);
}

TEST(MaskLabelsTest, AgeBinsCanMove) {
  EXPECT_EQ(AgeBin(59), 1);
  EXPECT_EQ(AgeBin(59, 30, 59), 2);  // a team moved the old bin to 59
  EXPECT_EQ(AgeBin(29, 30, 59), 0);
  EXPECT_EQ(*AgeFromMaskKey("train/images/000001_female_Asian_59/mask1.jpg"), 59);
  EXPECT_EQ(AgeFromMaskKey("train/images/nofolderage/mask1.jpg").status().message(),
            "cannot read an age from the folder of \"train/images/nofolderage/mask1.jpg\" "
            "(expected <id>_<gender>_<race>_<age>/<photo>)");
  const int wear_female_middle = MaskClass(kMaskWear, kFemale, 1);
  EXPECT_EQ(RebinMaskLabel(wear_female_middle, 59, 30, 59), MaskClass(kMaskWear, kFemale, 2));
  EXPECT_EQ(RebinMaskLabel(wear_female_middle, 45, 30, 59), wear_female_middle);
  // A reviewed override moved this 59-year-old to the young bin: the override stands.
  const int overridden = MaskClass(kMaskWear, kFemale, 0);
  EXPECT_EQ(RebinMaskLabel(overridden, 59, 30, 59), overridden);
}

}  // namespace
}  // namespace foldstack::data
