#include "coordinator/sweep/pruners/asha_pruner.h"

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
using testing::Queued;
using testing::Running;

AshaOptions Options(int64_t grace, double rf, int64_t max_t) {
  AshaOptions options;
  options.grace_period = grace;
  options.reduction_factor = rf;
  options.max_t = max_t;
  return options;
}

std::vector<double> Milestones(const AshaPruner& pruner) {
  std::vector<double> out;
  for (const AshaRung& rung : pruner.rungs()) out.push_back(rung.milestone);
  return out;
}
std::vector<int64_t> RecordEpochs(const AshaPruner& pruner) {
  std::vector<int64_t> out;
  for (const AshaRung& rung : pruner.rungs()) out.push_back(rung.record_epoch);
  return out;
}

// A curve of `epochs` epochs whose value at every epoch is `value`.
Curve Flat(int epochs, double value) { return Curve(static_cast<size_t>(epochs), value); }

// Other trials 1.. done on fold 0 with flat curves at `values`; the trial under test (id 100)
// running on fold 0 with `mine`.
StudyView WithTrial(const std::vector<double>& values, Curve mine, Goal goal = Goal::kMaximize) {
  std::vector<TrialView> trials;
  for (size_t i = 0; i < values.size(); ++i) {
    trials.push_back(MakeTrial(static_cast<int64_t>(i + 1), {Done(Flat(9, values[i]))}));
  }
  trials.push_back(MakeTrial(100, {Running(std::move(mine))}));
  return MakeStudy(std::move(trials), goal);
}

PruneDecision Judge(const AshaOptions& options, const StudyView& study, int epoch) {
  return AshaPruner(options).OnEpoch(study, study.trials.back(), 0, epoch);
}

TEST(AshaPruner, RungMilestones) {
  // 1 * 3^k below 27: 1, 3, 9 (Ray's rung at 27 = max_t never decides).
  const AshaPruner small(Options(1, 3, 27));
  EXPECT_EQ(Milestones(small), (std::vector<double>{1, 3, 9}));
  EXPECT_EQ(RecordEpochs(small), (std::vector<int64_t>{1, 3, 9}));
  // Ray's defaults (grace 1, rf 4, max_t 100): 1, 4, 16, 64.
  EXPECT_EQ(Milestones(AshaPruner(AshaOptions{})), (std::vector<double>{1, 4, 16, 64}));
  // grace 2, rf 2, max_t 20: 2, 4, 8, 16.
  EXPECT_EQ(RecordEpochs(AshaPruner(Options(2, 2, 20))), (std::vector<int64_t>{2, 4, 8, 16}));
  // grace == max_t: no rung.
  EXPECT_TRUE(AshaPruner(Options(5, 3, 5)).rungs().empty());
}

TEST(AshaPruner, FractionalMilestonesFollowRaysBookkeeping) {
  // rf 1.5, max_t 5: milestones 1, 1.5, 2.25, 3.375 are first reached at epochs 1, 2, 3, 4.
  EXPECT_EQ(RecordEpochs(AshaPruner(Options(1, 1.5, 5))), (std::vector<int64_t>{1, 2, 3, 4}));
  // rf 1.2, max_t 3: milestones 1, 1.2, 1.44, 1.728, 2.0736, 2.48832, 2.985984. Ray records the
  // HIGHEST unrecorded rung a result has reached: epoch 1 -> 1, epoch 2 -> 1.728; epoch 3 = max_t
  // is never checked, so the other rungs never fire.
  const AshaPruner crowded(Options(1, 1.2, 3));
  ASSERT_EQ(RecordEpochs(crowded), (std::vector<int64_t>{1, 2}));
  EXPECT_DOUBLE_EQ(crowded.rungs()[1].milestone, 1.2 * 1.2 * 1.2);
}

TEST(AshaPruner, CutOffIsTheUpperQuantileOfOthersAtTheRung) {
  // rf 4: cut-off = np.nanpercentile({2, 4, 8}, 75) = position 1.5 -> 4 + (8 - 4) * 0.5 = 6.
  const AshaOptions options = Options(1, 4, 100);  // rungs 1, 4, 16, 64
  const PruneDecision low = Judge(options, WithTrial({2, 4, 8}, Flat(4, 5.5)), 4);
  EXPECT_EQ(low.action, PruneAction::kStopTrial);
  EXPECT_EQ(low.reason, "asha: epoch 4 fold 0 (rung 4): 5.5 below cut-off 6 of 3 trials");
  // A tie with the cut-off continues (Ray stops only when strictly below).
  EXPECT_FALSE(Judge(options, WithTrial({2, 4, 8}, Flat(4, 6)), 4).stops());
  EXPECT_FALSE(Judge(options, WithTrial({2, 4, 8}, Flat(4, 6.5)), 4).stops());
}

TEST(AshaPruner, CutOffWithReductionFactorThree) {
  // rf 3, rungs 1, 3, 9: cut-off at rung 3 = np.nanpercentile({1, 2, 3, 4}, 66.67) = position
  // 2/3 * 3 = 2 -> 3 (numpy prints 3.0).
  const AshaOptions options = Options(1, 3, 27);
  EXPECT_TRUE(Judge(options, WithTrial({1, 2, 3, 4}, Flat(3, 2.9)), 3).stops());
  EXPECT_FALSE(Judge(options, WithTrial({1, 2, 3, 4}, Flat(3, 3.1)), 3).stops());
  // Epoch 2 is no rung: even the worst value goes on.
  EXPECT_FALSE(Judge(options, WithTrial({1, 2, 3, 4}, Flat(2, -100)), 2).stops());
}

TEST(AshaPruner, RecordsTheValueAtTheMilestoneEpoch) {
  // The others' curves rise: at epoch 3 they are {1, 2, 3, 4} although they end far higher.
  std::vector<TrialView> trials;
  for (int i = 1; i <= 4; ++i) {
    trials.push_back(MakeTrial(i, {Done({0, 0, static_cast<double>(i), 50, 50})}));
  }
  trials.push_back(MakeTrial(100, {Running({0, 0, 3.1})}));
  const StudyView study = MakeStudy(std::move(trials));
  EXPECT_FALSE(AshaPruner(Options(1, 3, 27)).OnEpoch(study, study.trials.back(), 0, 3).stops());
}

TEST(AshaPruner, FirstJobAtARungContinues) {
  // Nobody else has reported epoch 3 on fold 0 (one job only reached epoch 2, one is queued).
  std::vector<TrialView> trials = {MakeTrial(1, {Running({9, 9})}), MakeTrial(2, {Queued()}),
                                   MakeTrial(100, {Running({0, 0, 0})})};
  const StudyView study = MakeStudy(std::move(trials));
  EXPECT_FALSE(AshaPruner(Options(1, 3, 27)).OnEpoch(study, study.trials.back(), 0, 3).stops());
  // At epoch 1 trial 1 is there (value 9): 0 < 9 stops.
  EXPECT_TRUE(AshaPruner(Options(1, 3, 27)).OnEpoch(study, study.trials.back(), 0, 1).stops());
}

TEST(AshaPruner, ComparesOnlyTheSameFold) {
  // On fold 1 every trial is low (0.125, 0.25, 0.375, exact in binary); the trial's fold-1 value
  // is judged against those alone: cut-off (rf 4) = 0.25 + (0.375 - 0.25) * 0.5 = 0.3125. 0.3125
  // ties and continues although every fold-0 value (0.625 .. 0.875) is far above it.
  std::vector<TrialView> trials;
  for (int i = 1; i <= 3; ++i) {
    trials.push_back(MakeTrial(i, {Done(Flat(4, 0.5 + 0.125 * i)), Done(Flat(4, 0.125 * i))}));
  }
  trials.push_back(MakeTrial(100, {Done(Flat(4, 0.8)), Running(Flat(4, 0.3125))}));
  const StudyView study = MakeStudy(std::move(trials));
  const AshaPruner pruner(Options(1, 4, 100));
  EXPECT_FALSE(pruner.OnEpoch(study, study.trials.back(), 1, 4).stops());
  StudyView worse = study;
  worse.trials.back().jobs[1].curve = Flat(4, 0.3);
  EXPECT_TRUE(pruner.OnEpoch(worse, worse.trials.back(), 1, 4).stops());
}

TEST(AshaPruner, MinimizeStopsAboveTheCutOff) {
  // Losses {2, 4, 8}: scores {-2, -4, -8}, cut-off score = percentile 75 = -3, i.e. loss 3.
  const AshaOptions options = Options(1, 4, 100);
  const PruneDecision high = Judge(options, WithTrial({2, 4, 8}, Flat(4, 3.5), Goal::kMinimize), 4);
  EXPECT_EQ(high.reason, "asha: epoch 4 fold 0 (rung 4): 3.5 above cut-off 3 of 3 trials");
  EXPECT_FALSE(Judge(options, WithTrial({2, 4, 8}, Flat(4, 2.5), Goal::kMinimize), 4).stops());
}

TEST(AshaPruner, NanValuesNeverStopAndAreNotCounted) {
  EXPECT_FALSE(Judge(Options(1, 4, 100), WithTrial({2, 4, 8}, {std::nullopt}), 1).stops());
  // Another job's NaN at the rung is left out (np.nanpercentile): cut-off of {8} alone is 8.
  std::vector<TrialView> trials = {MakeTrial(1, {Done({std::nullopt})}), MakeTrial(2, {Done({8})}),
                                   MakeTrial(100, {Running({7.9})})};
  const StudyView study = MakeStudy(std::move(trials));
  const PruneDecision decision =
      AshaPruner(Options(1, 4, 100)).OnEpoch(study, study.trials.back(), 0, 1);
  EXPECT_EQ(decision.reason, "asha: epoch 1 fold 0 (rung 1): 7.9 below cut-off 8 of 1 trials");
}

}  // namespace
}  // namespace foldstack::sweep
