// Malformed RPCs at the front door, over real gRPC on loopback to the coordinator's service and a
// real SQLite file: each gets a clear status code and a one-line message, and stores nothing.
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"
#include "proto/rpc_util.h"
#include "tests/testing/leased_job_test_base.h"

namespace foldstack::testing {
namespace {

using grpc::StatusCode;

using MalformedRpcsTest = LeasedJobTestBase;

TEST_F(MalformedRpcsTest, MetricReportsWithAWrongLeaseOrJobOrValueStoreNothing) {
  const v1::Metric good = Metric(1, "val_macro_f1", 0.5);
  ExpectRefused(Metrics(job_.lease_id() + 1, job_.job_id(), {good}), StatusCode::FAILED_PRECONDITION,
                "is not the job's current lease");
  ExpectRefused(Metrics(job_.lease_id(), 99999, {good}), StatusCode::NOT_FOUND, "99999");
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {good, Metric(1, "val_loss", std::nan(""))}),
                StatusCode::INVALID_ARGUMENT, "val_loss is nan; expected a finite number");
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {Metric(1, "val_loss", -INFINITY)}),
                StatusCode::INVALID_ARGUMENT, "val_loss is -inf; expected a finite number");
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {Metric(-1, "val_loss", 1)}), StatusCode::INVALID_ARGUMENT,
                "epoch -1");
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {Metric(std::numeric_limits<int>::max(), "val_loss", 1)}),
                StatusCode::INVALID_ARGUMENT, "epoch 2147483647");
  ExpectRefused(Metrics(job_.lease_id(), job_.job_id(), {Metric(1, std::string(3 << 20, 'x'), 1)}),
                StatusCode::INVALID_ARGUMENT, "metric name of 3145728 characters");
  EXPECT_EQ(Count("metrics"), 0);
  EXPECT_TRUE(Metrics(job_.lease_id(), job_.job_id(), {good}).ok());  // the job is still fine
  EXPECT_EQ(Count("metrics"), 1);
}

TEST_F(MalformedRpcsTest, PredictionBatchesOfTheWrongShapeOrSamplesStoreNothing) {
  ASSERT_GE(held_out_.size(), 2u);
  const int64_t a = held_out_[0], b = held_out_[1];
  ExpectRefused(Predictions({a, b}, {0.5f, 0.5f, 0.2f, 0.8f}, 2), StatusCode::INVALID_ARGUMENT,
                "predictions have 2 classes, the job's rows have 3");
  ExpectRefused(Predictions({a, b}, {0.5f, 0.5f, 0.0f, 0.2f, 0.8f}), StatusCode::INVALID_ARGUMENT,
                "5 probabilities for 2 samples x 3 classes");
  ExpectRefused(Predictions({a, b}, {0.5f, 0.5f, 0.0f, 0.5f, 0.6f, 0.1f}), StatusCode::INVALID_ARGUMENT,
                "row 1: probabilities sum to 1.2");
  ExpectRefused(Predictions({a, 9999999}, {1, 0, 0, 0, 1, 0}), StatusCode::INVALID_ARGUMENT, "sample 9999999");
  ExpectRefused(Predictions({a, training_[0]}, {1, 0, 0, 0, 1, 0}), StatusCode::INVALID_ARGUMENT,
                absl::StrCat("sample ", training_[0]));
  ExpectRefused(Predictions({a}, {1, 0, 0}, -3), StatusCode::INVALID_ARGUMENT, "-3 classes");
  ExpectRefused(Predictions({a}, {1, 0, 0}, std::numeric_limits<int>::max()), StatusCode::INVALID_ARGUMENT,
                "2147483647 classes");
  EXPECT_EQ(Count("predictions"), 0);
  EXPECT_TRUE(Predictions({a, b}, {0.5f, 0.5f, 0.0f, 0.2f, 0.8f, 0.0f}).ok());
  EXPECT_EQ(Count("predictions"), 2);
}

TEST_F(MalformedRpcsTest, EndingAJobWithAWrongLeaseOrValuesLeavesItRunning) {
  v1::CompleteJobRequest complete;
  complete.set_job_id(job_.job_id());
  complete.set_lease_id(job_.lease_id() + 7);
  v1::CompleteJobResponse completed;
  ExpectRefused(stub().CompleteJob(Context().get(), complete, &completed), StatusCode::FAILED_PRECONDITION,
                "is not the job's current lease");
  complete.set_lease_id(job_.lease_id());
  complete.set_macro_f1(std::nan(""));
  ExpectRefused(stub().CompleteJob(Context().get(), complete, &completed), StatusCode::INVALID_ARGUMENT,
                "macro_f1 is nan");
  complete.set_macro_f1(0.5);
  complete.set_best_epoch(-2);
  ExpectRefused(stub().CompleteJob(Context().get(), complete, &completed), StatusCode::INVALID_ARGUMENT,
                "best_epoch -2");
  v1::FailJobRequest fail;
  fail.set_job_id(job_.job_id());
  fail.set_lease_id(job_.lease_id());
  fail.set_reason(std::string(2 << 20, 'r'));
  v1::FailJobResponse failed;
  ExpectRefused(stub().FailJob(Context().get(), fail, &failed), StatusCode::INVALID_ARGUMENT,
                "reason of 2097152 characters");
  fail.set_reason("oom");
  fail.set_log_tail(std::string(3 << 20, 'l'));
  ExpectRefused(stub().FailJob(Context().get(), fail, &failed), StatusCode::INVALID_ARGUMENT,
                "log_tail of 3145728 characters");
  EXPECT_TRUE(JobRunning());
}

TEST_F(MalformedRpcsTest, CountsOutOfRangeAndOversizedMessagesAreRefused) {
  const int64_t workers = Count("workers");
  for (int slots : {-1, 1 << 30}) {
    v1::RegisterWorkerRequest request;
    request.set_hostname("box");
    request.set_slots(slots);
    v1::RegisterWorkerResponse response;
    ExpectRefused(stub().RegisterWorker(Context().get(), request, &response), StatusCode::INVALID_ARGUMENT,
                  absl::StrCat("slots ", slots));
  }
  v1::RegisterWorkerRequest long_name;
  long_name.set_hostname(std::string(1 << 20, 'h'));
  long_name.set_slots(1);
  v1::RegisterWorkerResponse registered;
  ExpectRefused(stub().RegisterWorker(Context().get(), long_name, &registered), StatusCode::INVALID_ARGUMENT,
                "hostname of 1048576 characters");
  EXPECT_EQ(Count("workers"), workers);

  v1::LeaseJobRequest lease;
  lease.set_worker_id("w-nobody");
  v1::LeaseJobResponse leased;
  ExpectRefused(stub().LeaseJob(Context().get(), lease, &leased), StatusCode::NOT_FOUND, "w-nobody");

  v1::ListSweepsRequest list;
  list.set_page_size(-5);
  v1::ListSweepsResponse listed;
  ExpectRefused(stub().ListSweeps(Context().get(), list, &listed), StatusCode::INVALID_ARGUMENT, "page_size -5");
  list.set_page_size(1 << 30);  // more than the most: the most, as AIP-158 says
  EXPECT_TRUE(stub().ListSweeps(Context().get(), list, &listed).ok());

  const int64_t sweeps = Count("sweeps");
  v1::SubmitSweepRequest submit;
  submit.set_file_name("big.yaml");
  submit.set_yaml(std::string(3 << 20, '#'));
  v1::SubmitSweepResponse submitted;
  ExpectRefused(stub().SubmitSweep(Context().get(), submit, &submitted), StatusCode::INVALID_ARGUMENT,
                "big.yaml: 3145728 bytes; a sweep file is at most 1048576");
  // Past the server's message size limit, gRPC itself refuses it before any handler runs.
  submit.set_yaml(std::string(5 << 20, '#'));
  EXPECT_EQ(stub().SubmitSweep(Context().get(), submit, &submitted).error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Count("sweeps"), sweeps);
}

}  // namespace
}  // namespace foldstack::testing
