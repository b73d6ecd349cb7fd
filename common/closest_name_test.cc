#include "common/closest_name.h"

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("metric", "metric"), 0);
  EXPECT_EQ(EditDistance("metrc", "metric"), 1);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("", "abc"), 3);
}

TEST(ClosestNameTest, SuggestsTheNearestPlausibleTypo) {
  const std::vector<std::string> known = {"method", "metric", "parameters"};
  EXPECT_EQ(ClosestName("metrc", known), "metric");
  EXPECT_EQ(ClosestName("paramters", known), "parameters");
  EXPECT_EQ(ClosestName("learning_rate", known), "");
  EXPECT_EQ(DidYouMean("metrc", known), " (did you mean \"metric\"?)");
  EXPECT_EQ(DidYouMean("zzzzzzzz", known), "");
}

}  // namespace
}  // namespace foldstack::common
