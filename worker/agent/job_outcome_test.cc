#include "worker/agent/job_outcome.h"

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

OutcomeInputs Program() {
  OutcomeInputs in;
  in.program = true;
  in.metric = "val_acc";
  return in;
}

RelayState Reported(const std::string& metric) {
  RelayState relay;
  relay.epochs[1][metric] = 0.5;
  return relay;
}

TEST(JobOutcome, ACleanProgramWithItsMetricCompletes) {
  EXPECT_EQ(DecideOutcome(Program(), Reported("val_acc")).kind, OutcomeKind::kComplete);
}

TEST(JobOutcome, PrunedAndRevokedJobsReportNothing) {
  RelayState relay = Reported("val_acc");
  relay.pruned = "hyperband: below the rung";
  OutcomeInputs in = Program();
  in.exit = {true, 15};
  EXPECT_EQ(DecideOutcome(in, relay).kind, OutcomeKind::kPruned);
  in.revoked = true;
  EXPECT_EQ(DecideOutcome(in, Reported("val_acc")).kind, OutcomeKind::kDropped);
}

TEST(JobOutcome, ANonZeroExitFailsWithTheProgramsLastError) {
  OutcomeInputs in = Program();
  in.exit = {false, 2};
  in.last_error = "CUDA out of memory";
  JobOutcome outcome = DecideOutcome(in, Reported("val_acc"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kFail);
  EXPECT_EQ(outcome.reason, "program exited with code 2: CUDA out of memory");
  EXPECT_FALSE(outcome.retryable);
  in.exit = {true, 9};
  EXPECT_TRUE(DecideOutcome(in, Reported("val_acc")).retryable);  // a kill may not recur elsewhere
}

TEST(JobOutcome, AProgramThatNeverReportsTheSweepMetricFails) {
  JobOutcome outcome = DecideOutcome(Program(), Reported("accuracy"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kFail);
  EXPECT_EQ(outcome.reason, "program ended without reporting the sweep metric 'val_acc' (it reported accuracy)");
  EXPECT_EQ(DecideOutcome(Program(), RelayState()).reason,
            "program ended without reporting the sweep metric 'val_acc' (it reported no metrics)");
}

TEST(JobOutcome, BadOutputAndMissingPredictionsFailForGood) {
  RelayState relay = Reported("val_acc");
  relay.bad_output = absl::InvalidArgumentError("predictions name an unknown sample key 'x'");
  JobOutcome outcome = DecideOutcome(Program(), relay);
  EXPECT_EQ(outcome.reason, "program output refused: predictions name an unknown sample key 'x'");
  EXPECT_FALSE(outcome.retryable);
  OutcomeInputs in = Program();
  in.predictions_complete = absl::InvalidArgumentError("predictions cover 0 of the 3 held-out samples");
  EXPECT_EQ(DecideOutcome(in, Reported("val_acc")).reason, "program predictions cover 0 of the 3 held-out samples");
}

TEST(JobOutcome, TheTrainerMustSendItsResult) {
  OutcomeInputs in = Program();
  in.program = false;
  JobOutcome outcome = DecideOutcome(in, Reported("val_acc"));
  EXPECT_EQ(outcome.reason, "trainer exited with code 0 without reporting a result");
  RelayState relay = Reported("val_acc");
  relay.report_error = absl::UnavailableError("connection refused");
  EXPECT_TRUE(DecideOutcome(in, relay).retryable);
  relay.lease_lost = true;
  EXPECT_EQ(DecideOutcome(in, relay).kind, OutcomeKind::kDropped);
}

}  // namespace
}  // namespace foldstack::worker
