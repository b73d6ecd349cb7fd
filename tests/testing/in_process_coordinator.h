// A coordinator inside the test process: the real gRPC service on loopback over a real SQLite file
// and artifacts folder in a temp dir, every manager as the binary wires them, and a stub to call it.
// For tests of client libraries (worker/agent/artifact_client) that need no child processes.
#ifndef FOLDSTACK_TESTS_TESTING_IN_PROCESS_COORDINATOR_H_
#define FOLDSTACK_TESTS_TESTING_IN_PROCESS_COORDINATOR_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "coordinator/artifacts/local_dir_storage.h"
#include "coordinator/auth/access_control.h"
#include "coordinator/auth/failure_limiter.h"
#include "coordinator/auth/token_registry.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/artifact_manager.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/prediction_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/server/coordinator_service.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/submission/sweep_submitter.h"
#include "proto/foldstack.grpc.pb.h"

namespace foldstack::testing {

struct InProcessOptions {
  int64_t max_artifact_bytes = int64_t{64} << 20;
  int64_t lease_ttl_ms = 30000;
  // The tokens file's lines (written to <dir>/tokens); empty: one lead token, token().
  std::vector<std::string> token_lines;
};

class InProcessCoordinator {
 public:
  // Under `dir` (created): foldstack.db and artifacts/. Dies (gtest-fatally) on failure.
  explicit InProcessCoordinator(const std::string& dir, InProcessOptions options = {});
  ~InProcessCoordinator();

  // A worker with `slots` slots, registered over RPC; its id. The next queued job leased to it.
  std::string RegisterWorker(int slots = 4);
  foldstack::v1::JobSpec LeaseJob(const std::string& worker_id);

  foldstack::v1::Coordinator::Stub& stub() { return *stub_; }
  coordinator::SqliteDb& db() { return *db_; }
  const std::string& token() const { return token_; }
  const std::string& artifacts_dir() const { return storage_->root(); }
  const std::string& address() const { return address_; }
  // The tokens file, which a test may rewrite and then Reload() or ReloadIfChanged().
  const std::string& tokens_path() const { return tokens_path_; }
  auth::TokenRegistry& tokens() { return *tokens_; }

 private:
  std::string token_ = "in-process-token";
  std::string address_;
  coordinator::SystemClock clock_;
  std::unique_ptr<coordinator::SqliteDb> db_;
  std::unique_ptr<artifacts::LocalDirStorage> storage_;
  std::string tokens_path_;
  std::unique_ptr<auth::TokenRegistry> tokens_;
  std::unique_ptr<auth::FailureLimiter> limiter_;
  std::unique_ptr<auth::AccessControl> access_;
  std::unique_ptr<coordinator::WorkerManager> workers_;
  std::unique_ptr<coordinator::JobManager> jobs_;
  std::unique_ptr<coordinator::SweepManager> sweeps_;
  std::unique_ptr<coordinator::SweepSubmitter> submitter_;
  std::unique_ptr<coordinator::PredictionManager> predictions_;
  std::unique_ptr<coordinator::LabelReviewManager> review_;
  std::unique_ptr<coordinator::AnalysisManager> analysis_;
  std::unique_ptr<coordinator::ArtifactManager> artifacts_;
  std::unique_ptr<coordinator::AuditManager> audit_;
  std::unique_ptr<coordinator::CoordinatorService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<foldstack::v1::Coordinator::Stub> stub_;
};

// $TEST_TMPDIR/<name>, emptied; and a whole file's bytes ("" when unreadable).
std::string FreshTestDir(const std::string& name);
std::string ReadWholeFile(const std::string& path);

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_IN_PROCESS_COORDINATOR_H_
