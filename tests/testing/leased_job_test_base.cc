#include "tests/testing/leased_job_test_base.h"

#include "absl/strings/str_cat.h"
#include "proto/rpc_util.h"

namespace foldstack::testing {

using coordinator::testing::QueryInt;

LeasedJobTestBase::LeasedJobTestBase(int samples)
    : coordinator_(FreshTestDir(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
  toy_ = coordinator::testing::MakeToySweep(coordinator_.db(), 1, 2, samples);
  worker_id_ = coordinator_.RegisterWorker();
  job_ = coordinator_.LeaseJob(worker_id_);
  v1::GetSplitRequest request;
  request.set_split_id(job_.split_id());
  v1::GetSplitResponse split;
  EXPECT_TRUE(stub().GetSplit(Context().get(), request, &split).ok());
  for (const v1::SplitSample& sample : split.samples()) {
    (sample.fold() == job_.fold() ? held_out_ : training_).push_back(sample.sample_id());
  }
}

std::unique_ptr<grpc::ClientContext> LeasedJobTestBase::Context() { return rpc::MakeContext(coordinator_.token()); }

int64_t LeasedJobTestBase::Count(const std::string& table) {
  return QueryInt(coordinator_.db(), "SELECT COUNT(*) FROM " + table);
}

bool LeasedJobTestBase::JobRunning() {
  return QueryInt(coordinator_.db(), absl::StrCat("SELECT state = 'running' FROM jobs WHERE id = ", job_.job_id())) == 1;
}

void LeasedJobTestBase::ExpectRefused(const grpc::Status& status, grpc::StatusCode code, const std::string& part) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_NE(status.error_message().find(part), std::string::npos) << status.error_message();
  EXPECT_EQ(status.error_message().find('\n'), std::string::npos) << status.error_message();
  EXPECT_LT(status.error_message().size(), 400u) << "a refusal quotes at most a little of its input";
}

grpc::Status LeasedJobTestBase::Metrics(int64_t lease_id, int64_t job_id, const std::vector<v1::Metric>& metrics) {
  v1::ReportMetricsRequest request;
  request.set_job_id(job_id);
  request.set_lease_id(lease_id);
  for (const v1::Metric& metric : metrics) *request.add_metrics() = metric;
  v1::ReportMetricsResponse response;
  return stub().ReportMetrics(Context().get(), request, &response);
}

v1::Metric LeasedJobTestBase::Metric(int epoch, const std::string& name, double value) {
  v1::Metric metric;
  metric.set_epoch(epoch);
  metric.set_name(name);
  metric.set_value(value);
  return metric;
}

grpc::Status LeasedJobTestBase::Predictions(const std::vector<int64_t>& ids, const std::vector<float>& probs,
                                            int classes) {
  v1::PredictionBatch batch;
  batch.set_job_id(job_.job_id());
  batch.set_lease_id(job_.lease_id());
  batch.set_num_classes(classes);
  for (int64_t id : ids) batch.add_sample_ids(id);
  for (float p : probs) batch.add_probs(p);
  v1::ReportPredictionsResponse response;
  auto context = Context();
  auto writer = stub().ReportPredictions(context.get(), &response);
  writer->Write(batch);
  writer->WritesDone();
  return writer->Finish();
}

grpc::Status LeasedJobTestBase::HeldOutPredictions() {
  std::vector<float> probs;
  for (size_t i = 0; i < held_out_.size(); ++i) probs.insert(probs.end(), {1.0f, 0.0f, 0.0f});
  return Predictions(held_out_, probs);
}

grpc::Status LeasedJobTestBase::Complete(double macro_f1) {
  v1::CompleteJobRequest request;
  request.set_job_id(job_.job_id());
  request.set_lease_id(job_.lease_id());
  request.set_macro_f1(macro_f1);
  v1::CompleteJobResponse response;
  return stub().CompleteJob(Context().get(), request, &response);
}

}  // namespace foldstack::testing
