#include "coordinator/managers/prediction_average.h"

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(PredictionAverageTest, MeanOverFoldsThenWeightedOverMembers) {
  // 1 image, 2 classes. Trial 1 has two folds (mean [0.6, 0.4]); trial 2 one fold [0, 1].
  std::vector<FoldModelProbs> models = {
      {1, 3.0, {0.8f, 0.2f}},
      {1, 3.0, {0.4f, 0.6f}},
      {2, 1.0, {0.0f, 1.0f}},
  };
  absl::StatusOr<std::vector<float>> mixed = AverageMemberProbs(models, 1, 2);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  // 0.75 * [0.6, 0.4] + 0.25 * [0, 1]; a plain mean over the 3 models would give [0.4, 0.6].
  EXPECT_NEAR((*mixed)[0], 0.45, 1e-6);
  EXPECT_NEAR((*mixed)[1], 0.55, 1e-6);
}

TEST(PredictionAverageTest, WeightsNeedNotSumToOneAndRowsStayApart) {
  std::vector<FoldModelProbs> models = {
      {5, 10.0, {1, 0, 0, 1}},
      {6, 10.0, {0, 1, 0, 1}},
  };
  absl::StatusOr<std::vector<float>> mixed = AverageMemberProbs(models, 2, 2);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(*mixed, (std::vector<float>{0.5f, 0.5f, 0.0f, 1.0f}));
}

TEST(PredictionAverageTest, RefusesBadInput) {
  EXPECT_FALSE(AverageMemberProbs({}, 1, 2).ok());
  EXPECT_EQ(AverageMemberProbs({{1, 1.0, {0.5f}}}, 1, 2).status().message(),
            "trial 1: 1 probabilities, expected 1 x 2");
  EXPECT_EQ(AverageMemberProbs({{1, 0.0, {0.5f, 0.5f}}}, 1, 2).status().message(),
            "trial 1: weight 0, expected a positive number");
}

}  // namespace
}  // namespace foldstack::coordinator
