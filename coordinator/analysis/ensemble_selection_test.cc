#include "coordinator/analysis/ensemble_selection.h"

#include <random>

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

// Two classes, labels alternate 0, 1, ...; p_true[i]: the model's probability of sample i's label.
std::vector<int> Alternating(int n) {
  std::vector<int> labels(n);
  for (int i = 0; i < n; ++i) labels[i] = i % 2;
  return labels;
}

ProbMatrix TwoClassModel(const std::vector<int>& labels, const std::vector<float>& p_true) {
  ProbMatrix m{static_cast<int>(labels.size()), 2, {}};
  for (size_t i = 0; i < labels.size(); ++i) {
    m.values.push_back(labels[i] == 0 ? p_true[i] : 1 - p_true[i]);
    m.values.push_back(labels[i] == 1 ? p_true[i] : 1 - p_true[i]);
  }
  return m;
}

// `models` random models of `k` classes; skill > 0 leans each towards the label.
std::vector<ProbMatrix> RandomLibrary(int models, int n, int k, const std::vector<int>& labels, float skill,
                                      uint32_t seed) {
  std::mt19937 rng(seed);
  std::gamma_distribution<float> gamma(1.0f, 1.0f);
  std::vector<ProbMatrix> library;
  for (int t = 0; t < models; ++t) {
    ProbMatrix m{n, k, std::vector<float>(n * k)};
    for (int i = 0; i < n; ++i) {
      float sum = 0;
      for (int c = 0; c < k; ++c) sum += m.values[i * k + c] = gamma(rng) + (c == labels[i] ? skill : 0.f);
      for (int c = 0; c < k; ++c) m.values[i * k + c] /= sum;
    }
    library.push_back(std::move(m));
  }
  return library;
}

TEST(EnsembleSelectionTest, TwoComplementaryWeakModelsBeatOneStrongLookingOne) {
  const std::vector<int> labels = Alternating(10);
  // S: right on 8 of 10 (wrong on 4 and 9); A: right only on 0-4; B: right only on 5-9.
  ProbMatrix s = TwoClassModel(labels, {.7f, .7f, .7f, .7f, .1f, .7f, .7f, .7f, .7f, .1f});
  ProbMatrix a = TwoClassModel(labels, {1, 1, 1, 1, 1, .45f, .45f, .45f, .45f, .45f});
  ProbMatrix b = TwoClassModel(labels, {.45f, .45f, .45f, .45f, .45f, 1, 1, 1, 1, 1});
  // S + A fails on 9, S + B on 4; S + A + B: sample 4 -> (.1 + 1 + .45) / 3 = .517, all right.
  EnsembleOptions options;
  options.init_size = 1;
  options.max_members = 6;
  auto r = SelectEnsemble({s, a, b}, labels, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->single_scores[0], 0.8, 1e-9);
  EXPECT_LT(r->single_scores[1], r->single_scores[0]);
  EXPECT_LT(r->single_scores[2], r->single_scores[0]);
  EXPECT_DOUBLE_EQ(r->score, 1.0);
  EXPECT_GT(r->weights[1], 0);
  EXPECT_GT(r->weights[2], 0);
  EXPECT_EQ(r->trace[0].member, 0);  // sorted initialisation starts from the best single model
  EXPECT_TRUE(r->trace[0].init);
  EXPECT_FALSE(r->trace[1].init);
  EXPECT_NEAR(r->weights[0] + r->weights[1] + r->weights[2], 1.0, 1e-12);
  auto top1 = SoftVoteTopK({s, a, b}, labels, 1, Metric::kMacroF1);
  ASSERT_TRUE(top1.ok()) << top1.status();
  EXPECT_LT(top1->score, r->score);
}

TEST(EnsembleSelectionTest, SelectionWithReplacementRepeatsAMember) {
  // A is right (p = 1) on 4 samples, B on the other 2: log loss is best at weights (2/3, 1/3).
  const std::vector<int> labels = Alternating(6);
  ProbMatrix a = TwoClassModel(labels, {1, 1, 0, 1, 1, 0});
  ProbMatrix b = TwoClassModel(labels, {0, 0, 1, 0, 0, 1});
  EnsembleOptions options;
  options.metric = Metric::kLogLoss;
  options.init_size = 1;
  options.max_members = 6;
  auto r = SelectEnsemble({a, b}, labels, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->trace.size(), 3u);
  EXPECT_EQ(r->trace[0].member, 0);
  EXPECT_EQ(r->trace[1].member, 1);
  EXPECT_EQ(r->trace[2].member, 0);  // A again
  EXPECT_NEAR(r->weights[0], 2.0 / 3, 1e-12);
  EXPECT_NEAR(r->weights[1], 1.0 / 3, 1e-12);
  // -(4 log(2/3) + 2 log(1/3)) / 6
  EXPECT_NEAR(r->score, -(4 * std::log(2.0 / 3) + 2 * std::log(1.0 / 3)) / 6, 1e-5);
  EXPECT_NEAR(r->trace[2].score, r->score, 1e-5);
}

TEST(EnsembleSelectionTest, MacroF1AndLogLossPreferDifferentModels) {
  const std::vector<int> labels = Alternating(10);
  ProbMatrix barely_right = TwoClassModel(labels, std::vector<float>(10, .51f));          // F1 1.0, log loss .67
  ProbMatrix confident = TwoClassModel(labels, {.99f, .99f, .99f, .99f, .99f, .99f, .99f, .99f, .99f, .3f});
  EnsembleOptions options;
  options.init_size = 1;
  options.max_members = 1;
  auto f1 = SelectEnsemble({barely_right, confident}, labels, options);
  options.metric = Metric::kLogLoss;
  auto loss = SelectEnsemble({barely_right, confident}, labels, options);
  ASSERT_TRUE(f1.ok() && loss.ok());
  EXPECT_EQ(f1->weights, (std::vector<double>{1, 0}));
  EXPECT_EQ(loss->weights, (std::vector<double>{0, 1}));
  EXPECT_DOUBLE_EQ(f1->score, 1.0);
}

TEST(EnsembleSelectionTest, TraceScoresMatchAnExactRecomputation) {
  // The engine's pruning of decided rows and its log-of-products must not change any score.
  const int n = 400, k = 6;
  std::vector<int> labels(n);
  for (int i = 0; i < n; ++i) labels[i] = (i * 7) % k;
  std::vector<ProbMatrix> library = RandomLibrary(12, n, k, labels, 0.8f, 3);
  for (Metric metric : {Metric::kMacroF1, Metric::kLogLoss}) {
    EnsembleOptions options;
    options.metric = metric;
    options.init_size = 1;
    options.max_members = 25;
    auto r = SelectEnsemble(library, labels, options);
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<double> counts(library.size(), 0.0);
    for (const SelectionStep& step : r->trace) {
      counts[step.member] += 1;
      auto exact = Score(metric, *WeightedAverage(library, counts), labels);
      ASSERT_TRUE(exact.ok());
      EXPECT_NEAR(step.score, *exact, 1e-5) << MetricName(metric) << " step " << step.step;
    }
  }
}

TEST(EnsembleSelectionTest, BaggingIsDeterministicUnderASeed) {
  const int n = 300, k = 4;
  std::vector<int> labels(n);
  for (int i = 0; i < n; ++i) labels[i] = i % k;
  std::vector<ProbMatrix> library = RandomLibrary(20, n, k, labels, 0.5f, 11);
  EnsembleOptions options;
  options.bags = 5;
  options.bag_fraction = 0.4;
  options.seed = 42;
  options.max_members = 15;
  auto first = SelectEnsemble(library, labels, options);
  auto second = SelectEnsemble(library, labels, options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->weights, second->weights);
  EXPECT_EQ(first->trace.size(), second->trace.size());
  EXPECT_EQ(first->trace.back().bag, 4);
  double total = 0;
  for (double w : first->weights) total += w;
  EXPECT_NEAR(total, 1.0, 1e-9);
  options.seed = 43;
  auto other = SelectEnsemble(library, labels, options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(first->weights, other->weights);
}

TEST(EnsembleSelectionTest, SoftVoteTopKWeighsTheBestKEqually) {
  const std::vector<int> labels = Alternating(4);
  ProbMatrix good = TwoClassModel(labels, {.9f, .9f, .9f, .9f});
  ProbMatrix ok = TwoClassModel(labels, {.6f, .6f, .6f, .4f});
  ProbMatrix bad = TwoClassModel(labels, {.2f, .2f, .2f, .2f});
  auto r = SoftVoteTopK({bad, good, ok}, labels, 2, Metric::kLogLoss);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->weights, (std::vector<double>{0, 0.5, 0.5}));
}

TEST(EnsembleSelectionTest, NestedScoreIsBelowTheInSampleScoreWhenSelectionOverfits) {
  // Models that know nothing: whatever selection finds in-sample is luck.
  const int n = 300, k = 3;
  std::mt19937 rng(5);
  std::vector<int> labels(n), folds(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = rng() % k;
    folds[i] = i % 5;
  }
  std::vector<ProbMatrix> library = RandomLibrary(40, n, k, labels, 0.0f, 9);
  EnsembleOptions options;
  options.init_size = 1;
  options.max_members = 20;
  auto in_sample = SelectEnsemble(library, labels, options);
  auto nested = NestedScore(library, labels, folds, options);
  ASSERT_TRUE(in_sample.ok() && nested.ok()) << nested.status();
  ASSERT_EQ(nested->fold_scores.size(), 5u);
  EXPECT_LT(nested->pooled_score, in_sample->score);
  for (size_t f = 0; f < 5; ++f) EXPECT_LT(nested->fold_scores[f], nested->in_sample_scores[f]);
}

TEST(EnsembleSelectionTest, BadInputIsOneLine) {
  const std::vector<int> labels = Alternating(4);
  ProbMatrix two{4, 2, std::vector<float>(8, .5f)};
  ProbMatrix three{4, 3, std::vector<float>(12, .3f)};
  EXPECT_EQ(SelectEnsemble({two, three}, labels, {}).status().message(),
            "trial 1: shape 4x3, expected 4x2 like trial 0");
  EXPECT_EQ(SelectEnsemble({two}, {0, 1, 2, 0}, {}).status().message(),
            "labels[2] = 2, expected a class in [0, 2)");
  EnsembleOptions options;
  options.init_size = 3;
  options.max_members = 2;
  EXPECT_FALSE(SelectEnsemble({two}, labels, options).ok());
  EXPECT_EQ(NestedScore({two}, labels, {0, 0, 0, 0}, {}).status().message(),
            "folds: 1 distinct fold ids, expected >= 2");
  EXPECT_FALSE(SelectEnsemble({}, {}, {}).ok());
}

}  // namespace
}  // namespace foldstack::analysis
