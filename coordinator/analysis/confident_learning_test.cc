#include "coordinator/analysis/confident_learning.h"

#include <cmath>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

TEST(ConfidentLearningTest, HandWorkedTwoClasses) {
  // labels 0,0,0,1,1,1; sample 2 is labelled 0 but looks like 1.
  ProbMatrix p{6, 2, {0.90f, 0.10f,    // s0
                      0.80f, 0.20f,    // s1
                      0.10f, 0.90f,    // s2 (mislabelled)
                      0.20f, 0.80f,    // s3
                      0.25f, 0.75f,    // s4
                      0.40f, 0.60f}};  // s5
  // t0 = (0.9 + 0.8 + 0.1) / 3 = 0.6; t1 = (0.8 + 0.75 + 0.6) / 3 = 0.71667.
  // Confident: s0, s1 -> (0,0); s2 -> (0,1); s3, s4 -> (1,1); s5 (0.4 < 0.6, 0.6 < 0.717) -> none.
  // C = [[2,1],[0,2]]. Calibrated to the label counts (3, 3): [[2,1],[0,3]], sum 6,
  // Q = [[2/6, 1/6], [0, 3/6]]. Prune (0 -> 1): round(1/6 * 6) = 1 sample labelled 0 with the
  // largest p1 - p0: s2 (+0.8). Prune (1 -> 0): round(0) = 0.
  auto r = ConfidentLearning(p, {0, 0, 0, 1, 1, 1});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->thresholds[0], 0.6, 1e-6);
  EXPECT_NEAR(r->thresholds[1], 2.15 / 3, 1e-6);
  EXPECT_EQ(r->confident_joint, (std::vector<int>{2, 1, 0, 2}));
  EXPECT_NEAR(r->joint[0], 2.0 / 6, 1e-9);
  EXPECT_NEAR(r->joint[1], 1.0 / 6, 1e-9);
  EXPECT_NEAR(r->joint[2], 0.0, 1e-9);
  EXPECT_NEAR(r->joint[3], 3.0 / 6, 1e-9);
  ASSERT_EQ(r->issues.size(), 1u);
  EXPECT_EQ(r->issues[0].sample, 2);
  EXPECT_EQ(r->issues[0].given_label, 0);
  EXPECT_EQ(r->issues[0].suggested_label, 1);
  EXPECT_FLOAT_EQ(r->issues[0].quality, 0.1f);
  EXPECT_FLOAT_EQ(r->issues[0].p_given, 0.1f);
  EXPECT_FLOAT_EQ(r->issues[0].p_suggested, 0.9f);
  EXPECT_EQ(r->quality, (std::vector<float>{0.9f, 0.8f, 0.1f, 0.8f, 0.75f, 0.6f}));
}

TEST(ConfidentLearningTest, HandWorkedEmptyClassAndTie) {
  // Three classes, nobody labelled 2. labels 0,0,1,1,1,1; sample 4 is labelled 1 but looks like 0.
  ProbMatrix p{6, 3, {0.40f, 0.10f, 0.50f,    // s0: looks like 2, but class 2 has no threshold
                      0.45f, 0.45f, 0.10f,    // s1: tie between 0 and 1
                      0.20f, 0.70f, 0.10f,    // s2
                      0.10f, 0.60f, 0.30f,    // s3
                      0.80f, 0.10f, 0.10f,    // s4 (mislabelled)
                      0.10f, 0.36f, 0.54f}};  // s5
  // t0 = (0.40 + 0.45) / 2 = 0.425; t1 = (0.70 + 0.60 + 0.10 + 0.36) / 4 = 0.44; t2 = +inf.
  // s0: nothing reaches its threshold. s1: 0.45 >= t0 and 0.45 >= t1, equal -> lowest class 0: (0,0).
  // s2, s3 -> (1,1). s4 -> (1,0). s5: 0.36 < 0.44 and 0.54 < inf -> none.
  // C = [[1,0,0],[1,2,0],[0,0,0]]. Calibrated (label counts 2, 4, 0):
  // [[2,0,0],[4/3,8/3,0],[0,0,0]], sum 6 -> Q[1][0] = 2/9. Prune (1 -> 0): round(2/9 * 6) = 1:
  // the sample labelled 1 with the largest p0 - p1 is s4 (+0.7).
  auto r = ConfidentLearning(p, {0, 0, 1, 1, 1, 1});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->thresholds[0], 0.425, 1e-6);
  EXPECT_NEAR(r->thresholds[1], 0.44, 1e-6);
  EXPECT_TRUE(std::isinf(r->thresholds[2]));
  EXPECT_EQ(r->confident_joint, (std::vector<int>{1, 0, 0, 1, 2, 0, 0, 0, 0}));
  EXPECT_NEAR(r->joint[0], 2.0 / 6, 1e-9);
  EXPECT_NEAR(r->joint[3], 2.0 / 9, 1e-9);
  EXPECT_NEAR(r->joint[4], 4.0 / 9, 1e-9);
  ASSERT_EQ(r->issues.size(), 1u);
  EXPECT_EQ(r->issues[0].sample, 4);
  EXPECT_EQ(r->issues[0].suggested_label, 0);
}

TEST(ConfidentLearningTest, RowsWithoutPredictionAreSkipped) {
  ProbMatrix p{3, 2, {0.9f, 0.1f, 0.0f, 0.0f, 0.2f, 0.8f}};
  auto r = ConfidentLearning(p, {0, 1, 1});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FLOAT_EQ(r->thresholds[1], 0.8f);  // the empty row does not pull the mean down
  EXPECT_FLOAT_EQ(r->quality[1], 1.0f);
  EXPECT_TRUE(r->issues.empty());
}

TEST(ConfidentLearningTest, BadInputIsOneLine) {
  ProbMatrix p{2, 2, {0.5f, 0.5f, 0.5f, 0.5f}};
  EXPECT_EQ(ConfidentLearning(p, {0, 2}).status().message(), "labels[1] = 2, expected a class in [0, 2)");
  EXPECT_FALSE(ConfidentLearning(p, {0}).ok());
}

TEST(ConfidentLearningTest, FindsPlantedFlipsInNoisyPredictions) {
  // 2000 samples, 5 classes, a decent model; 5% of labels flipped.
  std::mt19937 rng(7);
  const int n = 2000, k = 5;
  ProbMatrix p{n, k, std::vector<float>(n * k)};
  std::vector<int> labels(n);
  std::set<int> flipped;
  std::uniform_real_distribution<float> u(0, 1);
  for (int i = 0; i < n; ++i) {
    int truth = i % k;
    float sum = 0;
    for (int j = 0; j < k; ++j) sum += p.values[i * k + j] = u(rng) + (j == truth ? 3.0f : 0.0f);
    for (int j = 0; j < k; ++j) p.values[i * k + j] /= sum;
    labels[i] = truth;
    if (u(rng) < 0.05f) {
      labels[i] = (truth + 1 + i % (k - 1)) % k;
      flipped.insert(i);
    }
  }
  auto r = ConfidentLearning(p, labels);
  ASSERT_TRUE(r.ok()) << r.status();
  int hits = 0;
  for (const LabelIssue& issue : r->issues) hits += flipped.count(issue.sample);
  EXPECT_GE(hits, 0.8 * flipped.size());  // measured: 74 of 84
  EXPECT_GE(hits, 0.9 * r->issues.size());
  for (size_t i = 1; i < r->issues.size(); ++i) EXPECT_LE(r->issues[i - 1].quality, r->issues[i].quality);
}

}  // namespace
}  // namespace foldstack::analysis
