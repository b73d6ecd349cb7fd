#include "common/mask_heads.h"

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

TEST(MaskHeads, HeadLabelsOfEveryClass) {
  // class = 6 * mask + 3 * gender + age
  for (int mask = 0; mask < 3; ++mask) {
    for (int gender = 0; gender < 2; ++gender) {
      for (int age = 0; age < 3; ++age) {
        const int c = 6 * mask + 3 * gender + age;
        EXPECT_EQ(HeadLabel(Head::kMask, c), mask);
        EXPECT_EQ(HeadLabel(Head::kGender, c), gender);
        EXPECT_EQ(HeadLabel(Head::kAge, c), age);
      }
    }
  }
}

TEST(MaskHeads, RowWidthFollowsTheTask) {
  EXPECT_EQ(TaskRowWidth("", 18), 18);
  EXPECT_EQ(TaskRowWidth("single", 18), 18);
  EXPECT_EQ(TaskRowWidth("multi_head", 18), 18);
  EXPECT_EQ(TaskRowWidth("mask", 18), 3);
  EXPECT_EQ(TaskRowWidth("gender", 18), 2);
  EXPECT_EQ(TaskRowWidth("age", 18), 3);
  EXPECT_EQ(TaskRowWidth("age_regression", 18), 3);
  EXPECT_EQ(TaskRowWidth("single", 10), 10);
}

TEST(MaskHeads, NamesRoundTrip) {
  for (Head head : {Head::kMask, Head::kGender, Head::kAge}) EXPECT_EQ(ParseHead(HeadName(head)), head);
  EXPECT_FALSE(ParseHead("base").has_value());
  EXPECT_FALSE(ParseTrainTask("ages").has_value());
  EXPECT_EQ(HeadOfTask(TrainTask::kAgeRegression), Head::kAge);
  EXPECT_FALSE(HeadOfTask(TrainTask::kMultiHead).has_value());
}

}  // namespace
}  // namespace foldstack::common
