#include "cli/analysis_args.h"

#include "gtest/gtest.h"

namespace foldstack::cli {
namespace {

TEST(AnalysisArgsTest, OneSweepAsBefore) {
  auto target = ParseAnalysisTarget({"3"}, "", "1,2");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->sweep_id, 3);
  EXPECT_TRUE(target->sweep_ids.empty());
  EXPECT_EQ(target->trial_ids, (std::vector<int64_t>{1, 2}));
}

TEST(AnalysisArgsTest, SweepsOrTrialsAcrossSweeps) {
  auto sweeps = ParseAnalysisTarget({}, "3, 4,5", "");
  ASSERT_TRUE(sweeps.ok()) << sweeps.status();
  EXPECT_EQ(sweeps->sweep_id, 0);
  EXPECT_EQ(sweeps->sweep_ids, (std::vector<int64_t>{3, 4, 5}));
  auto trials = ParseAnalysisTarget({}, "", "7,12");
  ASSERT_TRUE(trials.ok()) << trials.status();
  EXPECT_EQ(trials->trial_ids, (std::vector<int64_t>{7, 12}));
}

TEST(AnalysisArgsTest, RefusesWhatIsAmbiguousOrMalformed) {
  EXPECT_EQ(ParseAnalysisTarget({"3"}, "4", "").status().message(), "give SWEEP_ID or --sweeps, not both");
  EXPECT_EQ(ParseAnalysisTarget({}, "3", "7").status().message(),
            "give --sweeps (every completed trial of each) or --trials, not both");
  EXPECT_EQ(ParseAnalysisTarget({}, "", "").status().message(), "give SWEEP_ID, --sweeps 3,4 or --trials 7,12");
  EXPECT_EQ(ParseAnalysisTarget({}, "3,x", "").status().message(),
            "--sweeps: \"x\" is not an id (expected e.g. --sweeps 3,4)");
  EXPECT_FALSE(ParseAnalysisTarget({"0"}, "", "").ok());
  EXPECT_FALSE(ParseAnalysisTarget({"3", "4"}, "", "").ok());
  EXPECT_FALSE(ParseAnalysisTarget({}, "", "-2").ok());
}

TEST(AnalysisArgsTest, SweepsText) {
  EXPECT_EQ(SweepsText(std::vector<int64_t>{3}), "sweep 3");
  EXPECT_EQ(SweepsText(std::vector<int64_t>{3, 4}), "sweeps 3,4");
}

}  // namespace
}  // namespace foldstack::cli
