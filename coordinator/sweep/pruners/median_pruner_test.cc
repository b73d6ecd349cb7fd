#include "coordinator/sweep/pruners/median_pruner.h"

#include <optional>
#include <vector>

#include "coordinator/sweep/pruners/test_study.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using testing::Curve;
using testing::Done;
using testing::MakeStudy;
using testing::MakeTrial;
using testing::Running;

// Every expectation below was also checked against Optuna 3.1 itself (MedianPruner.prune on a
// study of the same curves, step = epoch - 1).

// Five done trials on fold 0, three epochs each. Medians by epoch: 0.3, 0.4, 0.5.
std::vector<Curve> FiveCurves() {
  return {{.5, .6, .7}, {.4, .5, .6}, {.3, .4, .5}, {.2, .3, .4}, {.1, .2, .3}};
}

// The trial under test is id 100, running on fold 0 with `mine`; the others are done.
StudyView WithTrial(const std::vector<Curve>& others, Curve mine, Goal goal = Goal::kMaximize) {
  std::vector<TrialView> trials;
  for (size_t i = 0; i < others.size(); ++i) {
    trials.push_back(MakeTrial(static_cast<int64_t>(i + 1), {Done(others[i])}));
  }
  trials.push_back(MakeTrial(100, {Running(std::move(mine))}));
  return MakeStudy(std::move(trials), goal);
}

PruneDecision Judge(const MedianOptions& options, const StudyView& study, int epoch) {
  return MedianPruner(options).OnEpoch(study, study.trials.back(), 0, epoch);
}

TEST(MedianPruner, StopsBelowTheMedianAtTheEpoch) {
  // Epoch 1: median of {.5,.4,.3,.2,.1} = 0.3; 0.25 < 0.3 stops, 0.35 goes on.
  const PruneDecision low = Judge({}, WithTrial(FiveCurves(), {0.25}), 1);
  EXPECT_EQ(low.action, PruneAction::kStopTrial);
  EXPECT_EQ(low.reason, "median: epoch 1 fold 0: best 0.25 below median 0.3 of 5 trials");
  EXPECT_FALSE(Judge({}, WithTrial(FiveCurves(), {0.35}), 1).stops());
}

TEST(MedianPruner, ComparesTheBestValueSoFar) {
  // Epoch 3 median 0.5. Best of {.45,.1,.1} is 0.45 < 0.5: stop. Best of {.55,.1,.1} is 0.55:
  // goes on although its epoch-3 value 0.1 is far below the median.
  EXPECT_TRUE(Judge({}, WithTrial(FiveCurves(), {.45, .1, .1}), 3).stops());
  EXPECT_FALSE(Judge({}, WithTrial(FiveCurves(), {.55, .1, .1}), 3).stops());
}

TEST(MedianPruner, WaitsForStartupTrials) {
  std::vector<Curve> four = FiveCurves();
  four.pop_back();  // 4 done trials < n_startup_trials 5; median would be 0.35 > 0.25
  EXPECT_FALSE(Judge({}, WithTrial(four, {0.25}), 1).stops());
  MedianOptions options;
  options.n_startup_trials = 4;
  EXPECT_TRUE(Judge(options, WithTrial(four, {0.25}), 1).stops());
}

TEST(MedianPruner, RunningTrialsAreNotComplete) {
  // Four done trials plus a fifth only running: still under the 5 startup trials.
  StudyView study = WithTrial({{.5}, {.4}, {.3}, {.2}}, {0.0});
  study.trials.insert(study.trials.begin(), MakeTrial(50, {Running({.9})}));
  EXPECT_FALSE(MedianPruner({}).OnEpoch(study, study.trials.back(), 0, 1).stops());
}

TEST(MedianPruner, WarmUpStepsAreTheFirstEpochs) {
  // n_warmup_steps 2 = Optuna steps 0 and 1 = epochs 1 and 2 are never judged.
  MedianOptions options;
  options.n_warmup_steps = 2;
  EXPECT_FALSE(Judge(options, WithTrial(FiveCurves(), {0}), 1).stops());
  EXPECT_FALSE(Judge(options, WithTrial(FiveCurves(), {0, 0}), 2).stops());
  EXPECT_TRUE(Judge(options, WithTrial(FiveCurves(), {0, 0, 0}), 3).stops());
}

TEST(MedianPruner, OnlyTheFirstStepOfEachInterval) {
  // interval 2, warm-up 0: steps 0, 2 (epochs 1, 3) are judged, epoch 2 is not.
  MedianOptions options;
  options.interval_steps = 2;
  EXPECT_TRUE(Judge(options, WithTrial(FiveCurves(), {0}), 1).stops());
  EXPECT_FALSE(Judge(options, WithTrial(FiveCurves(), {0, 0}), 2).stops());
  EXPECT_TRUE(Judge(options, WithTrial(FiveCurves(), {0, 0, 0}), 3).stops());
  // warm-up 1, interval 2: steps 1, 3 (epochs 2, 4).
  options.n_warmup_steps = 1;
  EXPECT_FALSE(Judge(options, WithTrial(FiveCurves(), {0}), 1).stops());
  EXPECT_TRUE(Judge(options, WithTrial(FiveCurves(), {0, 0}), 2).stops());
  EXPECT_FALSE(Judge(options, WithTrial(FiveCurves(), {0, 0, 0}), 3).stops());
}

TEST(MedianPruner, MinimizeStopsAboveTheMedian) {
  // The same curves as losses: epoch-1 median 0.3; 0.35 is worse (stop), 0.25 better.
  const PruneDecision high = Judge({}, WithTrial(FiveCurves(), {0.35}, Goal::kMinimize), 1);
  EXPECT_EQ(high.action, PruneAction::kStopTrial);
  EXPECT_EQ(high.reason, "median: epoch 1 fold 0: best 0.35 above median 0.3 of 5 trials");
  EXPECT_FALSE(Judge({}, WithTrial(FiveCurves(), {0.25}, Goal::kMinimize), 1).stops());
  // Best so far for minimize is the smallest: {.25, .9, .9} at epoch 3 has best 0.25 < 0.5.
  EXPECT_FALSE(Judge({}, WithTrial(FiveCurves(), {.25, .9, .9}, Goal::kMinimize), 3).stops());
}

TEST(MedianPruner, NeedsMinTrialsThatReachedTheEpoch) {
  // Three of the five stopped after 2 epochs: at epoch 3 only {.7, .6} reported (median 0.65).
  const std::vector<Curve> others = {{.5, .6, .7}, {.4, .5, .6}, {.3, .4}, {.2, .3}, {.1, .2}};
  EXPECT_TRUE(Judge({}, WithTrial(others, {0, 0, .6}), 3).stops());  // 0.6 < 0.65
  MedianOptions options;
  options.n_min_trials = 3;
  EXPECT_FALSE(Judge(options, WithTrial(others, {0, 0, .6}), 3).stops());  // 2 < 3 reported
}

TEST(MedianPruner, AllNanStops) {
  const PruneDecision nan = Judge({}, WithTrial(FiveCurves(), {std::nullopt}), 1);
  EXPECT_EQ(nan.action, PruneAction::kStopTrial);
  EXPECT_EQ(nan.reason, "median: epoch 1 fold 0: every value so far is NaN");
}

TEST(MedianPruner, ComparesOnlyTheSameFold) {
  // Fold 0 medians as above; on fold 1 every trial is low: 0.01..0.05 (median 0.03). The trial's
  // fold-1 value 0.035 is above the fold-1 median, so it goes on; pooled with fold 0 (median of
  // all ten epoch-1 values = (0.05 + 0.1) / 2 = 0.075) it would have been stopped.
  const std::vector<double> fold1 = {.05, .04, .03, .02, .01};
  std::vector<TrialView> trials;
  const std::vector<Curve> fold0 = FiveCurves();
  for (size_t i = 0; i < fold0.size(); ++i) {
    trials.push_back(MakeTrial(static_cast<int64_t>(i + 1), {Done(fold0[i]), Done({fold1[i]})}));
  }
  trials.push_back(MakeTrial(100, {Done({.5}), Running({.035})}));
  const StudyView study = MakeStudy(std::move(trials));
  EXPECT_FALSE(MedianPruner({}).OnEpoch(study, study.trials.back(), 1, 1).stops());
  // ... and 0.025 on fold 1 is below the fold-1 median: stopped.
  StudyView worse = study;
  worse.trials.back().jobs[1].curve = {.025};
  EXPECT_TRUE(MedianPruner({}).OnEpoch(worse, worse.trials.back(), 1, 1).stops());
}

}  // namespace
}  // namespace foldstack::sweep
