#include "coordinator/sweep/pruners/pruners.h"

#include <string>

#include "coordinator/sweep/pruners/test_study.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;
using testing::Done;
using testing::DoneValue;
using testing::MakeStudy;
using testing::MakeTrial;
using testing::Queued;
using testing::Running;

std::string ErrorOf(const json& early_terminate, const json& fold_pruning = nullptr) {
  const auto pruner = MakePruner(early_terminate, fold_pruning);
  return pruner.ok() ? "OK" : std::string(pruner.status().message());
}

// Five trials done on both folds (fold-0 epoch-1 values .1 .. .5, median .3) and trial 100
// running fold 0 at `mine`, fold 1 queued.
StudyView Study(double mine) {
  std::vector<TrialView> trials;
  for (int i = 1; i <= 5; ++i) trials.push_back(MakeTrial(i, {Done({0.1 * i}), DoneValue(.5)}));
  trials.push_back(MakeTrial(100, {Running({mine}), Queued()}));
  return MakeStudy(std::move(trials));
}

TEST(MakePruner, NeitherKeyGivesAPrunerThatNeverStops) {
  auto pruner = MakePruner(nullptr, nullptr);
  ASSERT_TRUE(pruner.ok());
  EXPECT_EQ(dynamic_cast<CompositePruner*>(pruner->get()), nullptr);
  const StudyView study = Study(0.0);
  EXPECT_FALSE((*pruner)->OnEpoch(study, study.trials.back(), 0, 1).stops());
  EXPECT_EQ((*pruner)->GateFolds(), 0);
}

TEST(MakePruner, MedianWithItsKeys) {
  auto pruner = MakePruner(json::parse(R"({"type": "median", "n_startup_trials": 5,
                                           "n_warmup_steps": 0, "interval_steps": 1,
                                           "n_min_trials": 1})"),
                           nullptr);
  ASSERT_TRUE(pruner.ok()) << pruner.status();
  EXPECT_NE(dynamic_cast<CompositePruner*>(pruner->get()), nullptr);
  const StudyView study = Study(0.25);  // 0.25 < median 0.3
  EXPECT_EQ((*pruner)->OnEpoch(study, study.trials.back(), 0, 1).reason,
            "median: epoch 1 fold 0: best 0.25 below median 0.3 of 5 trials");
  EXPECT_EQ((*pruner)->GateFolds(), 0);
  // n_startup_trials 6 > the 5 done trials: no stop.
  auto patient = MakePruner(json::parse(R"({"type": "median", "n_startup_trials": 6})"), nullptr);
  ASSERT_TRUE(patient.ok());
  EXPECT_FALSE((*patient)->OnEpoch(study, study.trials.back(), 0, 1).stops());
}

TEST(MakePruner, AshaAndHyperbandParse) {
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "asha", "grace_period": 1, "reduction_factor": 3,
                                    "max_t": 27, "brackets": 1})")),
            "OK");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "min_iter": 3})")), "OK");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "max_iter": 27, "s": 2, "eta": 3,
                                    "strict": true})")),
            "OK");
  // asha with rf 3: rung 1's cut-off over {.1 .. .5} is percentile 66.7 = position 2.67 ->
  // .3 + (.4 - .3) * .67 = .367; 0.35 is below it.
  auto asha = MakePruner(json::parse(R"({"type": "asha", "reduction_factor": 3})"), nullptr);
  ASSERT_TRUE(asha.ok());
  const StudyView study = Study(0.35);
  EXPECT_TRUE((*asha)->OnEpoch(study, study.trials.back(), 0, 1).stops());
}

TEST(MakePruner, BothKeysCompose) {
  auto pruner = MakePruner(json::parse(R"({"type": "median"})"),
                           json::parse(R"({"first_folds": 2, "rule": "top_fraction",
                                           "fraction": 0.25, "min_trials": 2})"));
  ASSERT_TRUE(pruner.ok()) << pruner.status();
  EXPECT_EQ((*pruner)->GateFolds(), 2);
  const StudyView study = Study(0.25);
  EXPECT_TRUE((*pruner)->OnEpoch(study, study.trials.back(), 0, 1).stops());
  // The fold rule alone: first_folds defaults to 1.
  auto folds = MakePruner(nullptr, json::object());
  ASSERT_TRUE(folds.ok());
  EXPECT_EQ((*folds)->GateFolds(), 1);
  EXPECT_FALSE((*folds)->OnEpoch(study, study.trials.back(), 0, 1).stops());
}

TEST(MakePruner, OneLineErrorsNameTheKey) {
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hb"})")),
            R"(early_terminate.type: expected one of hyperband, asha, median; got "hb")");
  EXPECT_EQ(ErrorOf(json::parse(R"({"min_iter": 3})")),
            "early_terminate.type: expected one of hyperband, asha, median; got null");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "min_iter": 3, "eta": 1})")),
            "early_terminate.eta: expected an integer >= 2, got 1");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "min_iters": 3})")),
            R"(early_terminate: unknown key "min_iters" (did you mean "min_iter"?))");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband"})")),
            "early_terminate: hyperband needs min_iter, or max_iter with s");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "max_iter": 27})")),
            "early_terminate.s: is required with max_iter");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "max_iter": 2, "s": 1})")),
            "early_terminate.max_iter: max_iter / eta = 2 / 3 is below 1 epoch: no band");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "hyperband", "min_iter": 1, "strict": "yes"})")),
            R"(early_terminate.strict: expected true or false, got "yes")");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "median", "n_startup_trials": "five"})")),
            R"(early_terminate.n_startup_trials: expected an integer >= 0, got "five")");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "median", "interval_steps": 0})")),
            "early_terminate.interval_steps: expected an integer >= 1, got 0");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "asha", "brackets": 3})")),
            "early_terminate.brackets: only 1 bracket is supported, got 3");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "asha", "reduction_factor": 1})")),
            "early_terminate.reduction_factor: expected a number > 1, got 1");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "asha", "grace_period": 10, "max_t": 5})")),
            "early_terminate.grace_period: must be <= max_t (5), got 10");
  EXPECT_EQ(ErrorOf(json::parse(R"({"type": "asha", "eta": 3})")),
            R"(early_terminate: unknown key "eta")");  // asha has no eta (hyperband has)
  EXPECT_EQ(ErrorOf(json::parse("[1]")), "early_terminate: expected a mapping, got [1]");
  EXPECT_EQ(ErrorOf(nullptr, json::parse(R"({"rule": "mean"})")),
            R"(fold_pruning.rule: expected one of median, top_fraction; got "mean")");
  EXPECT_EQ(ErrorOf(nullptr, json::parse(R"({"fraction": 0.5})")),
            "fold_pruning.fraction: is only used with rule: top_fraction");
  EXPECT_EQ(ErrorOf(nullptr, json::parse(R"({"rule": "top_fraction", "fraction": 1.5})")),
            "fold_pruning.fraction: expected a number in (0, 1], got 1.5");
  EXPECT_EQ(ErrorOf(nullptr, json::parse(R"({"first_folds": 0})")),
            "fold_pruning.first_folds: expected an integer >= 1, got 0");
  EXPECT_EQ(ErrorOf(nullptr, json::parse(R"({"min_trial": 2})")),
            R"(fold_pruning: unknown key "min_trial" (did you mean "min_trials"?))");
  EXPECT_EQ(ErrorOf(nullptr, json::parse("true")), "fold_pruning: expected a mapping, got true");
}

}  // namespace
}  // namespace foldstack::sweep
