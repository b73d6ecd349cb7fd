#include "coordinator/analysis/oof.h"

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

TEST(OofTest, AverageTrialsIsTheElementwiseMean) {
  ProbMatrix a{2, 2, {1.0f, 0.0f, 0.2f, 0.8f}};
  ProbMatrix b{2, 2, {0.5f, 0.5f, 0.6f, 0.4f}};
  auto avg = AverageTrials({a, b});
  ASSERT_TRUE(avg.ok()) << avg.status();
  EXPECT_EQ(avg->num_samples, 2);
  EXPECT_EQ(avg->num_classes, 2);
  EXPECT_FLOAT_EQ(avg->at(0, 0), 0.75f);
  EXPECT_FLOAT_EQ(avg->at(1, 1), 0.6f);
}

TEST(OofTest, WeightedAverageUsesNormalisedWeights) {
  ProbMatrix a{1, 2, {1.0f, 0.0f}};
  ProbMatrix b{1, 2, {0.0f, 1.0f}};
  auto avg = WeightedAverage({a, b}, {3.0, 1.0});
  ASSERT_TRUE(avg.ok()) << avg.status();
  EXPECT_FLOAT_EQ(avg->at(0, 0), 0.75f);
  EXPECT_FLOAT_EQ(avg->at(0, 1), 0.25f);
  EXPECT_FALSE(WeightedAverage({a, b}, {0.0, 0.0}).ok());
  EXPECT_FALSE(WeightedAverage({a, b}, {1.0}).ok());
}

TEST(OofTest, MismatchedShapesGiveOneClearError) {
  ProbMatrix a{2, 2, {1, 0, 0, 1}};
  ProbMatrix b{2, 3, {1, 0, 0, 0, 1, 0}};
  auto avg = AverageTrials({a, b});
  ASSERT_FALSE(avg.ok());
  EXPECT_EQ(avg.status().message(), "trial 1: shape 2x3, expected 2x2 like trial 0");
  EXPECT_FALSE(AverageTrials({}).ok());
  ProbMatrix bad{2, 2, {1, 0, 0}};
  EXPECT_EQ(AverageTrials({bad}).status().message(), "trial 0: 3 values, expected 2x2");
}

TEST(OofTest, CheckLabelsNamesTheRow) {
  ProbMatrix m{2, 3, {1, 0, 0, 0, 1, 0}};
  EXPECT_TRUE(CheckLabels(m, {0, 2}).ok());
  EXPECT_EQ(CheckLabels(m, {0, 3}).message(), "labels[1] = 3, expected a class in [0, 3)");
  EXPECT_EQ(CheckLabels(m, {0}).message(), "labels: 1 labels, expected one per sample (2)");
}

TEST(OofTest, ArgMaxTakesTheLowestIndexOnTies) {
  const float row[] = {0.2f, 0.4f, 0.4f};
  EXPECT_EQ(ArgMax(row, 3), 1);
}

}  // namespace
}  // namespace foldstack::analysis
