#include "coordinator/sweep/pruners/hyperband_pruner.h"

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

// The expectations were worked by hand with W&B's formulas and checked with a Python
// transcription of wandb/sweeps' hyperband_stop_runs (bands, thresholds, strict).

HyperbandOptions MinIter(int64_t min_iter, int64_t eta, bool strict = false) {
  HyperbandOptions options;
  options.min_iter = min_iter;
  options.eta = eta;
  options.strict = strict;
  return options;
}
HyperbandOptions MaxIter(int64_t max_iter, int64_t s, int64_t eta) {
  HyperbandOptions options;
  options.max_iter = max_iter;
  options.s = s;
  options.eta = eta;
  return options;
}

TEST(HyperbandBands, FromMinIter) {
  // min_iter * eta^i: 2, 6, 18, 54, ...; W&B lists 100, here those up to 2^31 epochs.
  const std::vector<int64_t> bands = HyperbandBands(MinIter(2, 3));
  ASSERT_GE(bands.size(), 4u);
  EXPECT_EQ(std::vector<int64_t>(bands.begin(), bands.begin() + 4),
            (std::vector<int64_t>{2, 6, 18, 54}));
  EXPECT_EQ(bands.size(), 19u);  // 2 * 3^18 = 774840978 < 2^31 <= 2 * 3^19
}

TEST(HyperbandBands, FromMaxIterAndS) {
  // max_iter / eta^i, i = 1..s, truncated, sorted: 27/3, 27/9, 27/27 -> 1, 3, 9.
  EXPECT_EQ(HyperbandBands(MaxIter(27, 3, 3)), (std::vector<int64_t>{1, 3, 9}));
  // s limits the count: 9, 3 -> 3, 9.
  EXPECT_EQ(HyperbandBands(MaxIter(27, 2, 3)), (std::vector<int64_t>{3, 9}));
  // 100/3 = 33.3, 11.1, 3.7, 1.23, then 0.41 < 1 ends the list before s = 5: 1, 3, 11, 33.
  EXPECT_EQ(HyperbandBands(MaxIter(100, 5, 3)), (std::vector<int64_t>{1, 3, 11, 33}));
  // W&B's own example: max_iter 5, eta 2, s 2 -> 2.5, 1.25 -> 1, 2.
  EXPECT_EQ(HyperbandBands(MaxIter(5, 2, 2)), (std::vector<int64_t>{1, 2}));
}

// W&B's docstring example (minimise "loss"; max_iter 5, eta 2, s 2; bands 1, 2) on one fold:
// a finished [10, 9], b running [10, 10], c running [10, 8, 8], d running [10, 7, 7],
// e finished [10, 6, 6].
StudyView DocExample() {
  return MakeStudy({MakeTrial(1, {Done({10, 9})}), MakeTrial(2, {Running({10, 10})}),
                    MakeTrial(3, {Running({10, 8, 8})}), MakeTrial(4, {Running({10, 7, 7})}),
                    MakeTrial(5, {Done({10, 6, 6})})},
                   Goal::kMinimize);
}

TEST(HyperbandPruner, WandbDocExample) {
  // Band 2: the five values at epoch 2 sorted best first {6, 7, 8, 9, 10}, index int(0.5 * 5) = 2
  // -> threshold 8. b's best is 10 > 8: stopped. c's best 8 is not above 8 (ties continue); d's
  // 7 is better. Strict gives the same here (b's value at band 2 is also 10).
  const StudyView study = DocExample();
  for (const bool strict : {false, true}) {
    HyperbandOptions options = MaxIter(5, 2, 2);
    options.strict = strict;
    const HyperbandPruner pruner(options);
    const PruneDecision b = pruner.OnEpoch(study, study.trials[1], 0, 2);
    EXPECT_EQ(b.action, PruneAction::kStopTrial);
    EXPECT_EQ(b.reason, strict ? "hyperband: epoch 2 fold 0 (band 2): value at band 10 above "
                                 "threshold 8 of 5 runs"
                               : "hyperband: epoch 2 fold 0 (band 2): best 10 above threshold 8 "
                                 "of 5 runs");
    EXPECT_FALSE(pruner.OnEpoch(study, study.trials[2], 0, 3).stops());
    EXPECT_FALSE(pruner.OnEpoch(study, study.trials[3], 0, 3).stops());
  }
}

// Maximise; others done on fold 0: X [.5 .6 .6 .6], Y [.4 .5 .5 .5], Z [.3 .4 .4 .4]. Bands for
// min_iter 2, eta 2: 2, 4, 8, ...
StudyView StrictExample(Curve mine) {
  return MakeStudy({MakeTrial(1, {Done({.5, .6, .6, .6})}), MakeTrial(2, {Done({.4, .5, .5, .5})}),
                    MakeTrial(3, {Done({.3, .4, .4, .4})}), MakeTrial(100, {Running(mine)})});
}

TEST(HyperbandPruner, StrictComparesTheValueAtTheBand) {
  // T = [.9, .3]. Band 2 values {.6, .5, .4, .3} best first, index int(0.5 * 4) = 2 -> 0.4.
  // Non-strict: T's best .9 beats .4, goes on. Strict: T's value at band 2, .3 < .4: stopped.
  const StudyView study = StrictExample({.9, .3});
  EXPECT_FALSE(HyperbandPruner(MinIter(2, 2)).OnEpoch(study, study.trials.back(), 0, 2).stops());
  const PruneDecision strict =
      HyperbandPruner(MinIter(2, 2, true)).OnEpoch(study, study.trials.back(), 0, 2);
  EXPECT_EQ(strict.reason,
            "hyperband: epoch 2 fold 0 (band 2): value at band 0.3 below threshold 0.4 of 4 runs");
  // Between bands the closest band still applies (W&B re-checks running runs): epoch 3 of
  // [.9, .3, .3] is judged at band 2 again.
  const StudyView later = StrictExample({.9, .3, .3});
  EXPECT_TRUE(
      HyperbandPruner(MinIter(2, 2, true)).OnEpoch(later, later.trials.back(), 0, 3).stops());
  // Both modes stop [.35, .3]: best .35 < .4 as well.
  const StudyView poor = StrictExample({.35, .3});
  EXPECT_TRUE(HyperbandPruner(MinIter(2, 2)).OnEpoch(poor, poor.trials.back(), 0, 2).stops());
  // Before the first band nothing is judged.
  const StudyView early = StrictExample({.0});
  EXPECT_FALSE(
      HyperbandPruner(MinIter(2, 2, true)).OnEpoch(early, early.trials.back(), 0, 1).stops());
}

TEST(HyperbandPruner, NanEpochsAreLeftOutOfTheHistory) {
  // W&B filters non-finite values: [NaN, .45, .3] is the history [.45, .3], so band 2 is
  // epoch 3's .3 (< .4, stopped in strict mode) although epoch 2's .45 would pass.
  const StudyView study = StrictExample({std::nullopt, .45, .3});
  EXPECT_TRUE(
      HyperbandPruner(MinIter(2, 2, true)).OnEpoch(study, study.trials.back(), 0, 3).stops());
  // At epoch 2 the history [.45] is still short of band 2.
  EXPECT_FALSE(
      HyperbandPruner(MinIter(2, 2, true)).OnEpoch(study, study.trials.back(), 0, 2).stops());
}

TEST(HyperbandPruner, AloneOnItsFoldItIsItsOwnThreshold) {
  // The pool holds the judged job itself (as W&B's run list does): one value, index 0 = itself.
  const StudyView study = MakeStudy({MakeTrial(100, {Running({.1, .1})})});
  EXPECT_FALSE(HyperbandPruner(MinIter(1, 3, true)).OnEpoch(study, study.trials[0], 0, 2).stops());
}

TEST(HyperbandPruner, ComparesOnlyTheSameFold) {
  // Fold 1 is hard for everyone: X, Y, Z reach .06, .05, .04 at band 2. The trial's fold-1 .045
  // (threshold: {.06, .05, .045, .04}[2] = .045) continues; pooled with fold 0 (.6 .5 .4 ...) it
  // would be far below.
  StudyView study = MakeStudy({MakeTrial(1, {Done({.5, .6}), Done({.05, .06})}),
                               MakeTrial(2, {Done({.4, .5}), Done({.04, .05})}),
                               MakeTrial(3, {Done({.3, .4}), Done({.03, .04})}),
                               MakeTrial(100, {Done({.5, .5}), Running({.045, .045})})});
  const HyperbandPruner pruner(MinIter(2, 2, true));
  EXPECT_FALSE(pruner.OnEpoch(study, study.trials.back(), 1, 2).stops());
  // .035 there: threshold {.06, .05, .04, .035}[2] = .04, .035 < .04 -> stopped.
  study.trials.back().jobs[1].curve = {.045, .035};
  EXPECT_TRUE(pruner.OnEpoch(study, study.trials.back(), 1, 2).stops());
}

}  // namespace
}  // namespace foldstack::sweep
