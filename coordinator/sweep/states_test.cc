#include "coordinator/sweep/states.h"

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

TEST(StatesTest, NamesRoundTrip) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed,
                     JobState::kCancelled, JobState::kPruned}) {
    EXPECT_EQ(ParseJobState(JobStateName(s)), s);
  }
  for (TrialState s : {TrialState::kRunning, TrialState::kDone, TrialState::kPruned,
                       TrialState::kFailed, TrialState::kCancelled}) {
    EXPECT_EQ(ParseTrialState(TrialStateName(s)), s);
  }
  for (SweepState s : {SweepState::kRunning, SweepState::kDone, SweepState::kFailed,
                       SweepState::kCancelled}) {
    EXPECT_EQ(ParseSweepState(SweepStateName(s)), s);
  }
  EXPECT_EQ(JobStateName(JobState::kPruned), "pruned");
  EXPECT_FALSE(ParseJobState("finished").has_value());
}

}  // namespace
}  // namespace foldstack::sweep
