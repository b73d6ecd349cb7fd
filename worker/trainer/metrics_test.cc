#include "worker/trainer/metrics.h"

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(ConfusionMatrixTest, CountsCellsAndAccuracy) {
  // truth:     0 0 1 1 2 2
  // predicted: 0 1 1 1 2 0
  auto matrix = ConfusionMatrix::FromLabels({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3);
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  EXPECT_EQ(matrix->count(0, 0), 1);
  EXPECT_EQ(matrix->count(0, 1), 1);
  EXPECT_EQ(matrix->count(1, 1), 2);
  EXPECT_EQ(matrix->count(2, 0), 1);
  EXPECT_EQ(matrix->total(), 6);
  EXPECT_DOUBLE_EQ(matrix->Accuracy(), 4.0 / 6.0);
}

TEST(ConfusionMatrixTest, MacroF1MatchesHandComputation) {
  // Same labels as above. Per class (TP, FP, FN):
  //   class 0: TP 1, FP 1 (a 2 predicted as 0), FN 1 -> F1 = 2/(2+1+1) = 0.5
  //   class 1: TP 2, FP 1, FN 0                     -> F1 = 4/5 = 0.8
  //   class 2: TP 1, FP 0, FN 1                     -> F1 = 2/3
  auto f1 = MacroF1({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3);
  ASSERT_TRUE(f1.ok());
  EXPECT_NEAR(*f1, (0.5 + 0.8 + 2.0 / 3.0) / 3.0, 1e-12);
}

TEST(ConfusionMatrixTest, ClassAbsentFromTruthAndPredictionsIsExcluded) {
  // Class 3 and 4 never occur: averaged over classes 0..2 only.
  auto with_absent = MacroF1({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 5);
  auto without = MacroF1({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3);
  ASSERT_TRUE(with_absent.ok() && without.ok());
  EXPECT_DOUBLE_EQ(*with_absent, *without);
}

TEST(ConfusionMatrixTest, ClassOnlyPredictedCountsAsZero) {
  // truth {0,0}, predicted {0,1}: class 0 F1 = 2/(2+0+1) = 2/3, class 1 (only
  // predicted) F1 = 0 -> macro = 1/3.
  auto f1 = MacroF1({0, 0}, {0, 1}, 2);
  ASSERT_TRUE(f1.ok());
  EXPECT_NEAR(*f1, 1.0 / 3.0, 1e-12);
}

TEST(ConfusionMatrixTest, PerfectAndEmpty) {
  auto perfect = MacroF1({0, 1, 2}, {0, 1, 2}, 3);
  ASSERT_TRUE(perfect.ok());
  EXPECT_DOUBLE_EQ(*perfect, 1.0);
  auto empty = Accuracy({}, {}, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_DOUBLE_EQ(*empty, 0.0);
}

TEST(ConfusionMatrixTest, RefusesBadInput) {
  EXPECT_FALSE(MacroF1({0, 1}, {0}, 2).ok());
  auto out_of_range = Accuracy({0, 5}, {0, 1}, 3);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("label 5 at index 1"), std::string::npos);
  EXPECT_FALSE(Accuracy({-1}, {0}, 3).ok());
  EXPECT_FALSE(Accuracy({0}, {0}, 0).ok());
}

}  // namespace
}  // namespace foldstack::trainer
