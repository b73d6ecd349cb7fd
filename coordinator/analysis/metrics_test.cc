#include "coordinator/analysis/metrics.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

TEST(MetricsTest, MacroF1AveragesOverClassesInLabelsOrPredictions) {
  // Predictions 0, 0, 1, 2 for labels 0, 1, 1, 1; class 3 appears nowhere.
  ProbMatrix p{4, 4, {0.9f, 0.1f, 0, 0,  0.6f, 0.4f, 0, 0,  0.1f, 0.9f, 0, 0,  0, 0.2f, 0.8f, 0}};
  // class 0: tp 1, pred 2, actual 1 -> 2/3; class 1: tp 1, pred 1, actual 3 -> 2/4;
  // class 2: tp 0, pred 1, actual 0 -> 0 (counted: it was predicted); class 3 skipped.
  auto f1 = MacroF1(p, {0, 1, 1, 1});
  ASSERT_TRUE(f1.ok()) << f1.status();
  EXPECT_NEAR(*f1, (2.0 / 3 + 0.5 + 0.0) / 3, 1e-12);
}

TEST(MetricsTest, LogLossClipsZeros) {
  ProbMatrix p{2, 2, {0.5f, 0.5f, 1.0f, 0.0f}};
  auto loss = LogLoss(p, {0, 1});
  ASSERT_TRUE(loss.ok()) << loss.status();
  EXPECT_NEAR(*loss, (std::log(2.0) - std::log(double{kLogLossEpsilon})) / 2, 1e-6);
}

TEST(MetricsTest, ParseMetric) {
  EXPECT_EQ(*ParseMetric("log_loss"), Metric::kLogLoss);
  EXPECT_EQ(ParseMetric("accuracy").status().message(), "metric \"accuracy\": expected macro_f1 or log_loss");
  EXPECT_STREQ(MetricName(Metric::kMacroF1), "macro_f1");
}

}  // namespace
}  // namespace foldstack::analysis
