// foldstack-coordinator --listen 127.0.0.1:50051 --db PATH --tokens FILE
// Serves the Foldstack API over gRPC and keeps every result in one SQLite file. With a port of 0 it
// picks a free port; either way it prints "listening on HOST:PORT" once it accepts calls.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "coordinator/auth/token_auth.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/prediction_manager.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/server/coordinator_service.h"
#include "coordinator/store/migrations.h"
#include "coordinator/submission/sweep_submitter.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to serve on (HOST:PORT; port 0 picks a free one)");
ABSL_FLAG(std::string, db, "foldstack.db", "SQLite results database (created if missing)");
ABSL_FLAG(std::string, tokens, "", "file of accepted tokens, one a line");
ABSL_FLAG(int, lease_ttl_ms, 30000, "a job's lease expires this long after its worker's last heartbeat");
ABSL_FLAG(int, heartbeat_ms, 5000, "how often workers are told to heartbeat");

namespace {

int Fail(const std::string& message) {
  std::cerr << "foldstack-coordinator: " << message << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("foldstack-coordinator --listen HOST:PORT --db PATH --tokens FILE");
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_tokens).empty()) return Fail("--tokens FILE is required (one token a line)");
  auto auth = foldstack::auth::TokenAuthenticator::FromFile(absl::GetFlag(FLAGS_tokens));
  if (!auth.ok()) return Fail(std::string(auth.status().message()));

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto db = foldstack::coordinator::OpenFoldstackDb(absl::GetFlag(FLAGS_db));
  if (!db.ok()) return Fail(std::string(db.status().message()));
  foldstack::coordinator::JobManagerOptions options;
  options.lease_ttl_ms = absl::GetFlag(FLAGS_lease_ttl_ms);
  options.heartbeat_interval_ms = absl::GetFlag(FLAGS_heartbeat_ms);
  foldstack::coordinator::SystemClock clock;
  foldstack::coordinator::WorkerManager workers(**db, clock, options);
  foldstack::coordinator::JobManager jobs(**db, clock, options);
  foldstack::coordinator::SweepManager sweeps(**db, clock, options);
  foldstack::coordinator::SweepSubmitter submitter(&sweeps);
  foldstack::coordinator::PredictionManager predictions(**db, clock);
  foldstack::coordinator::LabelReviewManager review(**db, clock);
  foldstack::coordinator::AnalysisManager analysis(**db, clock, review);
  foldstack::coordinator::CoordinatorService service(&*auth, &workers, &jobs, &sweeps, &submitter, &predictions, &review,
                                                     &analysis);

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(256 * 1024 * 1024);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return Fail(absl::StrCat("cannot listen on ", absl::GetFlag(FLAGS_listen)));
  std::string host = absl::GetFlag(FLAGS_listen);
  host = host.substr(0, host.rfind(':'));
  std::cout << "foldstack-coordinator listening on " << host << ":" << port << " (db "
            << absl::GetFlag(FLAGS_db) << ")" << std::endl;

  // Leases are reclaimed by a reaper rather than on demand so that a lost worker's job is requeued
  // (or failed) on time even when nobody asks for work.
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;
  std::thread reaper([&] {
    const auto period = std::chrono::milliseconds(std::max<int64_t>(50, options.lease_ttl_ms / 10));
    std::unique_lock<std::mutex> lock(mutex);
    while (!wake.wait_for(lock, period, [&] { return stopping.load(); })) {
      absl::StatusOr<int> expired = jobs.ExpireLeases();
      if (!expired.ok()) std::cerr << "lease reaper: " << expired.status().message() << std::endl;
    }
  });

  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "foldstack-coordinator: " << strsignal(received) << ", shutting down" << std::endl;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  reaper.join();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
