#include "worker/trainer/recipes/lr_schedule.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::recipes {
namespace {

constexpr double kTol = 1e-12;

// 10 epochs of 4 steps, one warm-up epoch: W = 4 steps, 40 steps in all.
LrScheduleConfig Config(const std::string& kind) {
  LrScheduleConfig c;
  c.kind = kind;
  c.base_lr = 0.1;
  c.epochs = 10;
  c.steps_per_epoch = 4;
  c.warmup_epochs = 1;
  c.min_lr = 0.001;
  return c;
}

TEST(LrScheduleTest, WarmupRisesLinearlyToBaseLrAtItsLastStep) {
  const LrSchedule s(Config("none"));
  EXPECT_EQ(s.warmup_steps(), 4);
  EXPECT_NEAR(s.LrAt(0), 0.025, kTol);  // 0.1 * 1/4
  EXPECT_NEAR(s.LrAt(1), 0.05, kTol);
  EXPECT_NEAR(s.LrAt(2), 0.075, kTol);
  EXPECT_NEAR(s.LrAt(3), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(4), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(39), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(-5), 0.025, kTol);  // negative steps count as 0
}

TEST(LrScheduleTest, FractionalWarmupEpochsRoundToWholeSteps) {
  LrScheduleConfig c = Config("none");
  c.steps_per_epoch = 3;
  c.warmup_epochs = 0.5;  // 1.5 steps -> 2
  const LrSchedule s(c);
  EXPECT_EQ(s.warmup_steps(), 2);
  EXPECT_NEAR(s.LrAt(0), 0.05, kTol);
  EXPECT_NEAR(s.LrAt(1), 0.1, kTol);
}

TEST(LrScheduleTest, NoWarmupStartsAtBaseLr) {
  LrScheduleConfig c = Config("cosine");
  c.warmup_epochs = 0;
  const LrSchedule s(c);
  EXPECT_NEAR(s.LrAt(0), 0.1, kTol);
  // T = 40: halfway at step 20.
  EXPECT_NEAR(s.LrAt(20), 0.001 + 0.5 * 0.099, kTol);
}

TEST(LrScheduleTest, CosineDecaysOverThePostWarmupSteps) {
  const LrSchedule s(Config("cosine"));
  // T = 40 - 4 = 36, t = step - 4; lr = 0.001 + 0.0495 * (1 + cos(pi t / 36)).
  EXPECT_NEAR(s.LrAt(3), 0.1, kTol);    // last warm-up step
  EXPECT_NEAR(s.LrAt(4), 0.1, kTol);    // t = 0
  EXPECT_NEAR(s.LrAt(13), 0.001 + 0.0495 * (1 + 0.70710678118654752), kTol);  // t = 9: cos(pi/4)
  EXPECT_NEAR(s.LrAt(22), 0.0505, kTol);  // t = 18: cos(pi/2) = 0
  EXPECT_NEAR(s.LrAt(39), 0.001 + 0.0495 * (1 - 0.99619469809174553), kTol);  // t = 35
  EXPECT_NEAR(s.LrAt(40), 0.001, kTol);   // past the run: min_lr
  EXPECT_NEAR(s.LrAt(1000), 0.001, kTol);
}

TEST(LrScheduleTest, CosineIsMonotoneAfterWarmup) {
  const LrSchedule s(Config("cosine"));
  for (int step = 4; step < 40; ++step) EXPECT_GT(s.LrAt(step), s.LrAt(step + 1)) << step;
}

TEST(LrScheduleTest, CosineWhoseWarmupCoversTheRunEndsAtMinLr) {
  LrScheduleConfig c = Config("cosine");
  c.epochs = 1;  // 4 steps, all warm-up
  const LrSchedule s(c);
  EXPECT_NEAR(s.LrAt(3), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(4), 0.001, kTol);
}

TEST(LrScheduleTest, StepDecaysEveryDecayEpochsCountedFromTheStart) {
  LrScheduleConfig c = Config("step");
  c.warmup_epochs = 0;
  c.decay_epochs = 3;
  c.decay_rate = 0.5;
  const LrSchedule s(c);
  EXPECT_NEAR(s.LrAt(0), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(11), 0.1, kTol);    // epoch 2
  EXPECT_NEAR(s.LrAt(12), 0.05, kTol);   // epoch 3
  EXPECT_NEAR(s.LrAt(23), 0.05, kTol);   // epoch 5
  EXPECT_NEAR(s.LrAt(24), 0.025, kTol);  // epoch 6
}

TEST(LrScheduleTest, StepWarmupOverridesTheFirstSteps) {
  LrScheduleConfig c = Config("step");
  c.warmup_epochs = 1.5;  // W = 6
  c.decay_epochs = 2;
  c.decay_rate = 0.5;
  const LrSchedule s(c);
  EXPECT_NEAR(s.LrAt(2), 0.05, kTol);   // 0.1 * 3/6
  EXPECT_NEAR(s.LrAt(5), 0.1, kTol);
  EXPECT_NEAR(s.LrAt(7), 0.1, kTol);    // epoch 1
  EXPECT_NEAR(s.LrAt(8), 0.05, kTol);   // epoch 2
}

LrScheduleConfig PlateauConfig() {
  LrScheduleConfig c;
  c.kind = "plateau";
  c.base_lr = 1.0;
  c.epochs = 100;
  c.steps_per_epoch = 1;
  c.patience_epochs = 2;
  c.decay_rate = 0.1;
  c.min_lr = 0.005;
  return c;
}

TEST(LrScheduleTest, PlateauDecaysAfterMoreThanPatienceBadEpochs) {
  LrSchedule s(PlateauConfig());
  s.OnEpochEnd(0.5);   // best
  s.OnEpochEnd(0.4);   // bad 1
  s.OnEpochEnd(0.45);  // bad 2 (= patience: not yet)
  EXPECT_EQ(s.plateau_decays(), 0);
  EXPECT_NEAR(s.LrAt(3), 1.0, kTol);
  s.OnEpochEnd(0.5);   // bad 3 (a tie is no improvement) -> decay, count restarts
  EXPECT_EQ(s.plateau_decays(), 1);
  EXPECT_NEAR(s.LrAt(4), 0.1, kTol);
  s.OnEpochEnd(0.3);
  s.OnEpochEnd(0.3);
  EXPECT_EQ(s.plateau_decays(), 1);
  s.OnEpochEnd(0.3);
  EXPECT_EQ(s.plateau_decays(), 2);
  EXPECT_NEAR(s.LrAt(7), 0.01, kTol);
}

TEST(LrScheduleTest, PlateauImprovementResetsTheCount) {
  LrSchedule s(PlateauConfig());
  for (double m : {0.5, 0.4, 0.4, 0.6, 0.4, 0.4}) s.OnEpochEnd(m);
  EXPECT_EQ(s.plateau_decays(), 0);
  s.OnEpochEnd(0.4);
  EXPECT_EQ(s.plateau_decays(), 1);
}

TEST(LrScheduleTest, RestoredPlateauStateContinuesTheSameSchedule) {
  LrSchedule original(PlateauConfig());
  for (double m : {0.5, 0.4, 0.4}) original.OnEpochEnd(m);
  LrSchedule restored(PlateauConfig());
  restored.RestorePlateau(original.plateau_state());
  for (LrSchedule* s : {&original, &restored}) s->OnEpochEnd(0.4);  // bad 3 -> decay in both
  EXPECT_EQ(restored.plateau_decays(), 1);
  EXPECT_EQ(restored.LrAt(4), original.LrAt(4));
  EXPECT_EQ(restored.plateau_state().epochs_seen, 4);
}

TEST(LrScheduleTest, PlateauNeedsARelativeImprovementOfOneInTenThousand) {
  LrSchedule s(PlateauConfig());
  s.OnEpochEnd(0.5);
  s.OnEpochEnd(0.50004);  // < 0.5 * 1.0001 = 0.50005: bad
  s.OnEpochEnd(0.50004);
  s.OnEpochEnd(0.50004);
  EXPECT_EQ(s.plateau_decays(), 1);
  s.OnEpochEnd(0.6);
  s.OnEpochEnd(0.60007);  // > 0.60006: improves
  s.OnEpochEnd(0.6);
  s.OnEpochEnd(0.6);
  EXPECT_EQ(s.plateau_decays(), 1);
}

TEST(LrScheduleTest, PlateauNeverGoesBelowMinLr) {
  LrScheduleConfig c = PlateauConfig();
  c.patience_epochs = 0;  // every bad epoch decays
  LrSchedule s(c);
  s.OnEpochEnd(0.5);
  s.OnEpochEnd(0.1);
  EXPECT_NEAR(s.LrAt(0), 0.1, kTol);
  s.OnEpochEnd(0.1);
  EXPECT_NEAR(s.LrAt(0), 0.01, kTol);
  s.OnEpochEnd(0.1);  // 0.001 < min_lr
  EXPECT_NEAR(s.LrAt(0), 0.005, kTol);
  s.OnEpochEnd(std::nan(""));  // NaN is no improvement either
  EXPECT_EQ(s.plateau_decays(), 4);
  EXPECT_NEAR(s.LrAt(0), 0.005, kTol);
}

TEST(LrScheduleTest, PlateauIgnoresEpochsEndingInsideWarmup) {
  LrScheduleConfig c = PlateauConfig();
  c.patience_epochs = 0;
  c.warmup_epochs = 2;
  LrSchedule s(c);
  s.OnEpochEnd(0.9);  // ends at step 1 <= W = 2: ignored
  s.OnEpochEnd(0.9);  // ends at step 2: ignored
  s.OnEpochEnd(0.1);  // the first counted metric: best
  EXPECT_EQ(s.plateau_decays(), 0);
  s.OnEpochEnd(0.1);
  EXPECT_EQ(s.plateau_decays(), 1);
  EXPECT_NEAR(s.LrAt(0), 0.5, kTol);  // warm-up is unaffected by decays
  EXPECT_NEAR(s.LrAt(2), 0.1, kTol);
}

TEST(LrScheduleTest, OtherKindsIgnoreEpochMetrics) {
  LrSchedule s(Config("step"));
  for (int i = 0; i < 30; ++i) s.OnEpochEnd(0.0);
  EXPECT_EQ(s.plateau_decays(), 0);
  EXPECT_NEAR(s.LrAt(4), 0.1, kTol);
}

TEST(LrScheduleTest, ConfigFromSettingsReadsEverySchedulingKey) {
  const nlohmann::json settings = {
      {"scheduler", "plateau"}, {"lr", 0.02},          {"epochs", 7},
      {"warmup_epochs", 1.5},   {"min_lr", 1e-5},      {"decay_epochs", 4},
      {"decay_rate", 0.3},      {"patience_epochs", 2}, {"optimizer", "sgd"}};
  const LrScheduleConfig c = LrScheduleConfigFromSettings(settings, 12);
  EXPECT_EQ(c.kind, "plateau");
  EXPECT_DOUBLE_EQ(c.base_lr, 0.02);
  EXPECT_EQ(c.epochs, 7);
  EXPECT_EQ(c.steps_per_epoch, 12);
  EXPECT_DOUBLE_EQ(c.warmup_epochs, 1.5);
  EXPECT_DOUBLE_EQ(c.min_lr, 1e-5);
  EXPECT_EQ(c.decay_epochs, 4);
  EXPECT_DOUBLE_EQ(c.decay_rate, 0.3);
  EXPECT_EQ(c.patience_epochs, 2);
}

TEST(LrScheduleTest, ConfigFromSettingsKeepsDefaultsForMissingKeys) {
  const LrScheduleConfig c = LrScheduleConfigFromSettings({{"lr", 3}, {"epochs", 5.0}}, 2);
  EXPECT_EQ(c.kind, "none");
  EXPECT_DOUBLE_EQ(c.base_lr, 3.0);
  EXPECT_EQ(c.epochs, 5);
  EXPECT_EQ(c.decay_epochs, 30);
  EXPECT_DOUBLE_EQ(c.decay_rate, 0.1);
}

}  // namespace
}  // namespace foldstack::recipes
