#include "worker/trainer/recipes/early_stopping.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::recipes {
namespace {

// Feeds metrics for epochs 0, 1, ... and returns the epoch Update first said
// stop at, or -1 when it never did.
int StopEpoch(EarlyStopping& stopping, const std::vector<double>& metrics) {
  for (size_t epoch = 0; epoch < metrics.size(); ++epoch) {
    if (stopping.Update(static_cast<int>(epoch), metrics[epoch])) return static_cast<int>(epoch);
  }
  return -1;
}

TEST(EarlyStoppingTest, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping stopping(2);
  EXPECT_EQ(StopEpoch(stopping, {0.3, 0.5, 0.4, 0.45, 0.9}), 3);
  EXPECT_EQ(stopping.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(stopping.best_metric(), 0.5);
  EXPECT_EQ(stopping.epochs_without_improvement(), 2);
}

TEST(EarlyStoppingTest, RestoredStateStopsWhereTheOriginalWould) {
  EarlyStopping original(2);
  EXPECT_EQ(StopEpoch(original, {0.3, 0.5, 0.4}), -1);
  EarlyStopping restored(2);
  restored.Restore(original.state());
  EXPECT_EQ(restored.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(restored.best_metric(), 0.5);
  EXPECT_EQ(restored.epochs_without_improvement(), 1);
  EXPECT_TRUE(restored.Update(3, 0.45));
}

TEST(EarlyStoppingTest, ImprovementResetsTheCount) {
  EarlyStopping stopping(2);
  EXPECT_EQ(StopEpoch(stopping, {0.3, 0.2, 0.4, 0.3, 0.5, 0.1, 0.1}), 6);
  EXPECT_EQ(stopping.best_epoch(), 4);
}

TEST(EarlyStoppingTest, TiesKeepTheEarlierEpochAndCountAsNoImprovement) {
  EarlyStopping stopping(2);
  EXPECT_FALSE(stopping.Update(0, 0.7));
  EXPECT_FALSE(stopping.Update(1, 0.7));
  EXPECT_EQ(stopping.best_epoch(), 0);
  EXPECT_TRUE(stopping.Update(2, 0.7));
}

TEST(EarlyStoppingTest, PatienceZeroNeverStopsButTracksTheBest) {
  EarlyStopping stopping(0);
  EXPECT_EQ(StopEpoch(stopping, {0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}), -1);
  EXPECT_EQ(stopping.best_epoch(), 0);
  EXPECT_DOUBLE_EQ(stopping.best_metric(), 0.6);
}

TEST(EarlyStoppingTest, PatienceOneStopsAtTheFirstBadEpoch) {
  EarlyStopping stopping(1);
  EXPECT_EQ(StopEpoch(stopping, {0.1, 0.2, 0.3, 0.3}), 3);
}

TEST(EarlyStoppingTest, NaNNeverImproves) {
  EarlyStopping stopping(2);
  EXPECT_EQ(stopping.best_epoch(), -1);
  EXPECT_FALSE(stopping.Update(0, std::nan("")));
  EXPECT_EQ(stopping.best_epoch(), -1);
  EXPECT_FALSE(stopping.Update(1, 0.0));  // the first real metric improves on -inf
  EXPECT_EQ(stopping.best_epoch(), 1);
  EXPECT_FALSE(stopping.Update(2, std::nan("")));
  EXPECT_TRUE(stopping.Update(3, std::nan("")));
}

TEST(EarlyStoppingTest, EpochNumbersAreTheCallersOwn) {
  EarlyStopping stopping(3);
  stopping.Update(10, 0.2);
  stopping.Update(11, 0.8);
  stopping.Update(12, 0.5);
  EXPECT_EQ(stopping.best_epoch(), 11);
}

}  // namespace
}  // namespace foldstack::recipes
