#include "tests/testing/in_process_coordinator.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/store/migrations.h"
#include "gtest/gtest.h"
#include "proto/rpc_util.h"

namespace foldstack::testing {

InProcessCoordinator::InProcessCoordinator(const std::string& dir, InProcessOptions options) {
  std::filesystem::create_directories(dir);
  tokens_path_ = dir + "/tokens";
  if (options.token_lines.empty()) options.token_lines = {token_};
  std::ofstream(tokens_path_) << absl::StrJoin(options.token_lines, "\n") << "\n";
  auto tokens = auth::TokenRegistry::Load(tokens_path_);
  if (!tokens.ok()) ADD_FAILURE() << tokens.status();
  tokens_ = std::move(*tokens);
  limiter_ = std::make_unique<auth::FailureLimiter>(clock_);
  access_ = std::make_unique<auth::AccessControl>(tokens_.get(), limiter_.get());
  auto db = coordinator::OpenFoldstackDb(dir + "/foldstack.db");
  if (!db.ok()) ADD_FAILURE() << db.status();
  db_ = std::move(*db);
  auto storage = artifacts::LocalDirStorage::Create(dir + "/artifacts");
  if (!storage.ok()) ADD_FAILURE() << storage.status();
  storage_ = std::move(*storage);
  coordinator::JobManagerOptions job_options;
  job_options.lease_ttl_ms = options.lease_ttl_ms;
  workers_ = std::make_unique<coordinator::WorkerManager>(*db_, clock_, job_options);
  jobs_ = std::make_unique<coordinator::JobManager>(*db_, clock_, job_options);
  sweeps_ = std::make_unique<coordinator::SweepManager>(*db_, clock_, job_options);
  submitter_ = std::make_unique<coordinator::SweepSubmitter>(sweeps_.get());
  predictions_ = std::make_unique<coordinator::PredictionManager>(*db_, clock_);
  review_ = std::make_unique<coordinator::LabelReviewManager>(*db_, clock_);
  analysis_ = std::make_unique<coordinator::AnalysisManager>(*db_, clock_, *review_);
  coordinator::ArtifactManagerOptions artifact_options;
  artifact_options.max_artifact_bytes = options.max_artifact_bytes;
  artifacts_ = std::make_unique<coordinator::ArtifactManager>(*db_, clock_, *storage_, artifact_options);
  audit_ = std::make_unique<coordinator::AuditManager>(*db_, clock_);
  service_ = std::make_unique<coordinator::CoordinatorService>(access_.get(), workers_.get(), jobs_.get(), sweeps_.get(),
                                                               submitter_.get(), predictions_.get(), review_.get(),
                                                               analysis_.get(), artifacts_.get(), audit_.get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) ADD_FAILURE() << "in-process coordinator: cannot listen on loopback";
  address_ = absl::StrCat("127.0.0.1:", port);
  stub_ = foldstack::v1::Coordinator::NewStub(rpc::MakeChannel(address_));
}

InProcessCoordinator::~InProcessCoordinator() {
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

std::string InProcessCoordinator::RegisterWorker(int slots) {
  v1::RegisterWorkerRequest request;
  request.set_hostname("box");
  request.set_slots(slots);
  v1::RegisterWorkerResponse response;
  auto context = rpc::MakeContext(token_);
  const grpc::Status status = stub_->RegisterWorker(context.get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.worker_id();
}

v1::JobSpec InProcessCoordinator::LeaseJob(const std::string& worker_id) {
  v1::LeaseJobRequest request;
  request.set_worker_id(worker_id);
  v1::LeaseJobResponse response;
  auto context = rpc::MakeContext(token_);
  const grpc::Status status = stub_->LeaseJob(context.get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.job();
}

std::string FreshTestDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadWholeFile(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

}  // namespace foldstack::testing
