// A fixture for RPC tests at the front door: an in-process coordinator (real gRPC on loopback, a
// real SQLite file) with a toy sweep of 1 trial x 2 folds, a registered worker holding the lease of
// its first job, and helpers to report for that job as a worker would.
#ifndef FOLDSTACK_TESTS_TESTING_LEASED_JOB_TEST_BASE_H_
#define FOLDSTACK_TESTS_TESTING_LEASED_JOB_TEST_BASE_H_

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "coordinator/store/test_util.h"
#include "proto/foldstack.grpc.pb.h"
#include "tests/testing/in_process_coordinator.h"

namespace foldstack::testing {

class LeasedJobTestBase : public ::testing::Test {
 protected:
  // A toy sweep over `samples` samples (3 classes), split in 2 folds.
  explicit LeasedJobTestBase(int samples = 12);

  v1::Coordinator::Stub& stub() { return coordinator_.stub(); }
  std::unique_ptr<grpc::ClientContext> Context();
  int64_t Count(const std::string& table);
  bool JobRunning();

  // Expects `status` to carry `code` and a one-line message containing `part`.
  static void ExpectRefused(const grpc::Status& status, grpc::StatusCode code, const std::string& part);

  grpc::Status Metrics(int64_t lease_id, int64_t job_id, const std::vector<v1::Metric>& metrics);
  static v1::Metric Metric(int epoch, const std::string& name, double value);
  // One streamed batch for the leased job.
  grpc::Status Predictions(const std::vector<int64_t>& ids, const std::vector<float>& probs, int classes = 3);
  // Every held-out sample, all probability on its first class.
  grpc::Status HeldOutPredictions();
  grpc::Status Complete(double macro_f1);

  InProcessCoordinator coordinator_;
  coordinator::testing::ToySweep toy_;
  std::string worker_id_;
  v1::JobSpec job_;
  std::vector<int64_t> held_out_, training_;
};

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_LEASED_JOB_TEST_BASE_H_
