#include "coordinator/managers/request_checks.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(RequestChecksTest, MetricsNeedAnEpochInRangeAShortNameAndAFiniteValue) {
  foldstack::v1::ReportMetricsRequest request;
  request.set_job_id(4);
  foldstack::v1::Metric* metric = request.add_metrics();
  metric->set_epoch(2);
  metric->set_name("val_loss");
  metric->set_value(0.3);
  EXPECT_TRUE(CheckRequest(request).ok());
  metric->set_value(INFINITY);
  EXPECT_EQ(CheckRequest(request).message(), "job 4: epoch 2: metric val_loss is inf; expected a finite number");
  metric->set_value(0.3);
  metric->set_name(std::string(kMaxNameChars + 1, 'n'));
  EXPECT_EQ(CheckRequest(request).message(), "job 4: epoch 2: metric name of 257 characters; at most 256");
  metric->set_name("");
  EXPECT_EQ(CheckRequest(request).message(), "job 4: epoch 2: metric without a name");
  metric->set_name("val_loss");
  metric->set_epoch(kMaxEpoch + 1);
  EXPECT_EQ(CheckRequest(request).message(), "job 4: epoch 100001: expected an epoch from 0 to 100000");
}

TEST(RequestChecksTest, LimitsAtTheirEdgeAreAcceptedAndOnePastRefused) {
  foldstack::v1::FailJobRequest fail;
  fail.set_job_id(1);
  fail.set_log_tail(std::string(kMaxLogTailChars, 'x'));
  EXPECT_TRUE(CheckRequest(fail).ok());
  fail.set_log_tail(std::string(kMaxLogTailChars + 1, 'x'));
  EXPECT_EQ(CheckRequest(fail).code(), absl::StatusCode::kInvalidArgument);

  foldstack::v1::RegisterWorkerRequest worker;
  worker.set_slots(kMaxSlots);
  EXPECT_TRUE(CheckRequest(worker).ok());
  worker.set_slots(kMaxSlots + 1);
  EXPECT_EQ(CheckRequest(worker).message(), "worker registration: slots 1025; expected 1 to 1024");

  foldstack::v1::SubmitSweepRequest sweep;
  sweep.set_yaml(std::string(kMaxSweepFileBytes, '#'));
  EXPECT_TRUE(CheckRequest(sweep).ok());
  sweep.set_yaml(sweep.yaml() + "#");
  EXPECT_EQ(CheckRequest(sweep).message(), "sweep file: 1048577 bytes; a sweep file is at most 1048576");

  foldstack::v1::CompleteJobRequest complete;
  complete.set_job_id(2);
  complete.set_seconds(NAN);
  EXPECT_EQ(CheckRequest(complete).message(), "job 2: completion: seconds is nan; expected a finite number");
}

TEST(RequestChecksTest, PageSizesDefaultClampAndRefuseNegatives) {
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
  EXPECT_EQ(*PageSize(7), 7);
  EXPECT_EQ(*PageSize(1 << 30), kMaxPageSize);
  EXPECT_EQ(PageSize(-1).status().message(), "page_size -1; expected 0 (100) to 1000");
}

}  // namespace
}  // namespace foldstack::coordinator
