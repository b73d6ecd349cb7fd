#include "coordinator/analysis/fold_voting.h"

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

// Three trials over four samples of three classes; labels 0, 1, 2, 0.
//   sample 0: votes 0, 0, 0       -> agrees
//   sample 1: votes 2, 2, 1       -> 2 of 3 disagree, suggested 2
//   sample 2: votes 0, 1, 2       -> 2 of 3 disagree (0 and 1 once each: tie broken by probability)
//   sample 3: votes 1, 0, -       -> the third trial has no prediction: 1 of 2 disagree, not a majority
std::vector<ProbMatrix> Trials() {
  ProbMatrix t0{4, 3, {.8f, .1f, .1f,  .1f, .2f, .7f,  .6f, .2f, .2f,  .3f, .6f, .1f}};
  ProbMatrix t1{4, 3, {.7f, .2f, .1f,  .1f, .3f, .6f,  .1f, .5f, .4f,  .6f, .3f, .1f}};
  ProbMatrix t2{4, 3, {.9f, .0f, .1f,  .2f, .5f, .3f,  .1f, .3f, .6f,  0, 0, 0}};
  return {t0, t1, t2};
}

TEST(FoldVotingTest, MajorityOfDisagreeingVotesFlags) {
  auto r = FoldVote(Trials(), {0, 1, 2, 0}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->voters, (std::vector<int>{3, 3, 3, 2}));
  EXPECT_EQ(r->disagreeing, (std::vector<int>{0, 2, 2, 1}));
  ASSERT_EQ(r->issues.size(), 2u);
  // Both have quality 1/3; sample 1 has the lower mean p_given ((.2+.3+.5)/3 = .333 vs (.2+.4+.6)/3 = .4).
  EXPECT_EQ(r->issues[0].sample, 1);
  EXPECT_EQ(r->issues[0].suggested_label, 2);
  EXPECT_EQ(r->issues[0].disagreeing_votes, 2);
  EXPECT_EQ(r->issues[0].voters, 3);
  EXPECT_NEAR(r->issues[0].p_given, 1.0 / 3, 1e-6);
  EXPECT_NEAR(r->issues[0].p_suggested, (.7 + .6 + .3) / 3, 1e-6);
  EXPECT_EQ(r->issues[1].sample, 2);
  // Votes for 0 and 1 tie; mean p1 = (.2+.5+.3)/3 = .333 > mean p0 = (.6+.1+.1)/3 = .267.
  EXPECT_EQ(r->issues[1].suggested_label, 1);
  EXPECT_FLOAT_EQ(r->quality[3], 0.5f);
}

TEST(FoldVotingTest, MinVotesOverridesTheMajority) {
  FoldVotingOptions options;
  options.min_votes = 1;
  auto r = FoldVote(Trials(), {0, 1, 2, 0}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->issues.size(), 3u);
  EXPECT_EQ(r->issues[2].sample, 3);  // quality 1/2, after the two with 1/3
  EXPECT_EQ(r->issues[2].suggested_label, 1);
  EXPECT_NEAR(r->issues[2].p_given, (.3 + .6) / 2, 1e-6);  // mean over its two voters
  options.min_votes = 3;
  EXPECT_TRUE(FoldVote(Trials(), {0, 1, 2, 0}, options)->issues.empty());
}

TEST(FoldVotingTest, BadInputIsOneLine) {
  EXPECT_EQ(FoldVote(Trials(), {0, 1, 3, 0}, {}).status().message(), "labels[2] = 3, expected a class in [0, 3)");
  std::vector<ProbMatrix> trials = Trials();
  trials[1].num_samples = 3;
  trials[1].values.resize(9);
  EXPECT_EQ(FoldVote(trials, {0, 1, 2, 0}, {}).status().message(), "trial 1: shape 3x3, expected 4x3 like trial 0");
}

}  // namespace
}  // namespace foldstack::analysis
