#include "coordinator/sweep/pruners/fold_pruner.h"

#include <vector>

#include "coordinator/sweep/pruners/test_study.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using testing::DoneValue;
using testing::MakeStudy;
using testing::MakeTrial;
using testing::Queued;
using testing::Running;

// Other trials 1.. with fold 0 done at `values` and fold 1 queued; the trial under test (id 100)
// with fold 0 done at `mine`.
StudyView FoldZero(const std::vector<double>& values, double mine, Goal goal = Goal::kMaximize) {
  std::vector<TrialView> trials;
  for (size_t i = 0; i < values.size(); ++i) {
    trials.push_back(MakeTrial(static_cast<int64_t>(i + 1), {DoneValue(values[i]), Queued()}));
  }
  trials.push_back(MakeTrial(100, {DoneValue(mine), Queued()}));
  return MakeStudy(std::move(trials), goal);
}

PruneDecision Judge(const FoldPruningOptions& options, const StudyView& study, int fold = 0) {
  return FoldPruner(options).OnFoldDone(study, study.trials.back(), fold);
}

TEST(FoldPruner, GateFoldsIsFirstFolds) {
  EXPECT_EQ(FoldPruner({}).GateFolds(), 1);
  FoldPruningOptions options;
  options.first_folds = 2;
  EXPECT_EQ(FoldPruner(options).GateFolds(), 2);
}

TEST(FoldPruner, MedianRule) {
  // Fold-0 values of the others {.5, .6, .7, .8}: median (.6 + .7) / 2 = .65.
  const PruneDecision low = Judge({}, FoldZero({.5, .6, .7, .8}, .6));
  EXPECT_EQ(low.action, PruneAction::kStopTrial);
  EXPECT_EQ(low.reason, "fold rule: folds {0}: 0.6 below median 0.65 of 4 trials");
  EXPECT_FALSE(Judge({}, FoldZero({.5, .6, .7, .8}, .7)).stops());
}

TEST(FoldPruner, MinimizeStopsAboveTheMedian) {
  const PruneDecision high = Judge({}, FoldZero({.5, .6, .7, .8}, .7, Goal::kMinimize));
  EXPECT_EQ(high.reason, "fold rule: folds {0}: 0.7 above median 0.65 of 4 trials");
  EXPECT_FALSE(Judge({}, FoldZero({.5, .6, .7, .8}, .6, Goal::kMinimize)).stops());
}

TEST(FoldPruner, MinTrials) {
  // Two comparable trials < min_trials 3: goes on however bad.
  EXPECT_FALSE(Judge({}, FoldZero({.8, .9}, .1)).stops());
  FoldPruningOptions options;
  options.min_trials = 2;
  EXPECT_TRUE(Judge(options, FoldZero({.8, .9}, .1)).stops());
  // Trials whose fold 0 is still running or queued are not comparable.
  StudyView study = FoldZero({.8, .9}, .1);
  study.trials.insert(study.trials.begin(), {MakeTrial(50, {Running({.9}), Queued()}),
                                             MakeTrial(51, {Queued(), Queued()})});
  EXPECT_FALSE(Judge({}, study).stops());
}

TEST(FoldPruner, MeansOverExactlyTheDoneFolds) {
  // first_folds 2: after fold 0 alone nothing is judged.
  FoldPruningOptions options;
  options.first_folds = 2;
  EXPECT_FALSE(Judge(options, FoldZero({.5, .6, .7, .8}, .1)).stops());
  // Folds {0, 1}: A (.5, .7) mean .6, B (.6, .8) .7, D (.4, .6) .5, E (.8, .8) .8; C finished
  // only fold 0 and is left out. Median of {.6, .7, .5, .8} = .65; the trial's (.6, .6) = .6.
  StudyView study = MakeStudy(
      {MakeTrial(1, {DoneValue(.5), DoneValue(.7)}), MakeTrial(2, {DoneValue(.6), DoneValue(.8)}),
       MakeTrial(3, {DoneValue(.9), Queued()}), MakeTrial(4, {DoneValue(.4), DoneValue(.6)}),
       MakeTrial(5, {DoneValue(.8), DoneValue(.8)}),
       MakeTrial(100, {DoneValue(.6), DoneValue(.6)})});
  EXPECT_EQ(Judge(options, study, 1).reason,
            "fold rule: folds {0,1}: 0.6 below median 0.65 of 4 trials");
  // With C counted (had it finished fold 1 at .9: mean .9) the median would be .7; still stopped,
  // but its count shows: 5 trials.
  study.trials[2].jobs[1] = DoneValue(.9);
  EXPECT_EQ(Judge(options, study, 1).reason,
            "fold rule: folds {0,1}: 0.6 below median 0.7 of 5 trials");
}

TEST(FoldPruner, HardFoldDoesNotPrune) {
  // Fold 1 is hard for everyone (.1 .. .2) and the trial's fold-1 .16 is above its median .15;
  // the trial has only fold 1 done (fold 0 running), so it is compared on fold 1 alone.
  StudyView study = MakeStudy({MakeTrial(1, {DoneValue(.8), DoneValue(.1)}),
                               MakeTrial(2, {DoneValue(.9), DoneValue(.2)}),
                               MakeTrial(3, {DoneValue(.7), DoneValue(.15)}),
                               MakeTrial(100, {Running({.8}), DoneValue(.16)})});
  EXPECT_FALSE(Judge({}, study, 1).stops());
}

TEST(FoldPruner, TopFraction) {
  // Others {.5, .6, .7, .8} plus the trial: 5 places, fraction .5 keeps ceil(2.5) = 3.
  FoldPruningOptions options;
  options.rule = FoldRule::kTopFraction;
  EXPECT_FALSE(Judge(options, FoldZero({.5, .6, .7, .8}, .65)).stops());  // 3rd
  EXPECT_FALSE(Judge(options, FoldZero({.5, .6, .7, .8}, .6)).stops());   // ties .6: 3rd
  const PruneDecision out = Judge(options, FoldZero({.5, .6, .7, .8}, .55));
  EXPECT_EQ(out.reason, "fold rule: folds {0}: 0.55 ranks 4 of 5, outside the best 0.5 (3)");
  // fraction .2 keeps ceil(1.0) = 1 place: only a trial better than all four goes on.
  options.fraction = 0.2;
  EXPECT_TRUE(Judge(options, FoldZero({.5, .6, .7, .8}, .75)).stops());
  EXPECT_FALSE(Judge(options, FoldZero({.5, .6, .7, .8}, .85)).stops());
}

}  // namespace
}  // namespace foldstack::sweep
