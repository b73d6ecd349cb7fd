// foldstack-coordinator --listen 127.0.0.1:50051 --db PATH --tokens FILE [--artifacts DIR] [--http HOST:PORT]
// foldstack-coordinator backup --db PATH --out COPY     (online, while a coordinator serves PATH)
// Serves the Foldstack API over gRPC and keeps every result in one SQLite file, and the workers'
// checkpoints and logs in the artifacts folder. With a port of 0 it
// picks a free port; either way it prints "listening on HOST:PORT" once it accepts calls, and with
// --http a second line, "dashboard on http://HOST:PORT" (https:// with --tls_cert), once the dashboard does.
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "coordinator/auth/access_control.h"
#include "coordinator/auth/token_registry.h"
#include "coordinator/http/dashboard_server.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/prediction_manager.h"
#include "coordinator/artifacts/local_dir_storage.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/artifact_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/server/coordinator_service.h"
#include "coordinator/store/backup.h"
#include "coordinator/store/migrations.h"
#include "coordinator/submission/sweep_submitter.h"
#include "proto/tls.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to serve on (HOST:PORT; port 0 picks a free one)");
ABSL_FLAG(std::string, db, "foldstack.db", "SQLite results database (created if missing)");
ABSL_FLAG(std::string, tokens, "",
          "file of accepted tokens, one a line: NAME SCOPE TOKEN (scope worker, reader or lead) or a bare "
          "TOKEN (lead); re-read on SIGHUP and when it changes");
ABSL_FLAG(int, lease_ttl_ms, 30000, "a job's lease expires this long after its worker's last heartbeat");
ABSL_FLAG(int, heartbeat_ms, 5000, "how often workers are told to heartbeat");
ABSL_FLAG(std::string, artifacts, "",
          "folder of the artifact store: uploaded checkpoints and logs (created if missing; default: a folder "
          "'artifacts' beside the --db file)");
ABSL_FLAG(std::string, out, "", "backup: the file to write the copy to (must not exist)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate (chain) to serve TLS with; needs --tls_key");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, http, "",
          "serve the web dashboard and its JSON API on HOST:PORT (port 0 picks a free one); off when empty");
ABSL_FLAG(int64_t, max_artifact_mb, 2048, "largest artifact accepted for upload, in MiB");

namespace {

int Fail(const std::string& message) {
  std::cerr << "foldstack-coordinator: " << message << std::endl;
  return 1;
}

// --artifacts, or "artifacts" beside the database file.
std::string ArtifactsDir() {
  if (!absl::GetFlag(FLAGS_artifacts).empty()) return absl::GetFlag(FLAGS_artifacts);
  const std::filesystem::path db(absl::GetFlag(FLAGS_db));
  return (db.has_parent_path() ? db.parent_path() / "artifacts" : std::filesystem::path("artifacts")).string();
}

// `backup`: a consistent copy of --db written to --out while a coordinator may be serving it.
int Backup() {
  if (absl::GetFlag(FLAGS_out).empty()) return Fail("backup: --out FILE is required, e.g. --out results-backup.db");
  absl::StatusOr<foldstack::coordinator::BackupResult> copied =
      foldstack::coordinator::BackupDatabase(absl::GetFlag(FLAGS_db), absl::GetFlag(FLAGS_out));
  if (!copied.ok()) return Fail(absl::StrCat("backup: ", copied.status().message()));
  std::cout << "backed up " << absl::GetFlag(FLAGS_db) << " to " << absl::GetFlag(FLAGS_out) << ": "
            << copied->pages << " pages, " << copied->bytes << " bytes, schema " << copied->schema_version
            << ", integrity ok" << std::endl;
  return 0;
}

void Log(const std::string& line) { std::cerr << "foldstack-coordinator: " << line << std::endl; }

// Waits for SIGTERM or SIGINT, which it returns; re-reads the tokens file on each SIGHUP.
int WaitForStop(const sigset_t& signals, foldstack::auth::TokenRegistry& tokens) {
  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    if (received != SIGHUP) return received;
    absl::Status reloaded = tokens.Reload();
    Log(reloaded.ok() ? "SIGHUP: reloaded tokens file " + tokens.path()
                      : std::string(reloaded.message()) + "; keeping the tokens in force");
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "foldstack-coordinator --listen HOST:PORT --db PATH --tokens FILE [--tls_cert PEM --tls_key PEM]\n"
      "                      [--artifacts DIR] [--max_artifact_mb N] [--http HOST:PORT]\n"
      "foldstack-coordinator backup --db PATH --out COPY");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    if (std::string(positional[1]) == "backup" && positional.size() == 2) return Backup();
    return Fail(absl::StrCat("unknown command '", positional[1], "'; expected none (serve) or backup"));
  }
  // Artifact uploads pass ~1 MiB buffers through gRPC and protobuf many times a second. By default
  // glibc hands such blocks back to the kernel on free (mmap/munmap, arena trimming), so every chunk
  // page-faults fresh memory: measured, the upload rate doubled once they are kept for reuse.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (absl::GetFlag(FLAGS_tokens).empty()) return Fail("--tokens FILE is required (one token a line)");
  auto tokens = foldstack::auth::TokenRegistry::Load(absl::GetFlag(FLAGS_tokens));
  if (!tokens.ok()) return Fail(std::string(tokens.status().message()));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto db = foldstack::coordinator::OpenFoldstackDb(absl::GetFlag(FLAGS_db));
  if (!db.ok()) return Fail(std::string(db.status().message()));
  if (absl::GetFlag(FLAGS_max_artifact_mb) < 1) return Fail("--max_artifact_mb: expected 1 or more");
  auto storage = foldstack::artifacts::LocalDirStorage::Create(ArtifactsDir());
  if (!storage.ok()) return Fail(std::string(storage.status().message()));
  foldstack::coordinator::JobManagerOptions options;
  options.lease_ttl_ms = absl::GetFlag(FLAGS_lease_ttl_ms);
  options.heartbeat_interval_ms = absl::GetFlag(FLAGS_heartbeat_ms);
  foldstack::coordinator::SystemClock clock;
  foldstack::auth::FailureLimiter limiter(clock);
  foldstack::auth::AccessControl access(tokens->get(), &limiter);
  foldstack::auth::TokenFileWatcher watcher(**tokens, 1000, Log);
  foldstack::coordinator::WorkerManager workers(**db, clock, options);
  foldstack::coordinator::JobManager jobs(**db, clock, options);
  foldstack::coordinator::SweepManager sweeps(**db, clock, options);
  foldstack::coordinator::SweepSubmitter submitter(&sweeps);
  foldstack::coordinator::PredictionManager predictions(**db, clock);
  foldstack::coordinator::LabelReviewManager review(**db, clock);
  foldstack::coordinator::AnalysisManager analysis(**db, clock, review);
  foldstack::coordinator::ArtifactManagerOptions artifact_options;
  artifact_options.max_artifact_bytes = absl::GetFlag(FLAGS_max_artifact_mb) << 20;
  foldstack::coordinator::ArtifactManager artifacts(**db, clock, **storage, artifact_options);
  foldstack::coordinator::AuditManager audit(**db, clock);
  foldstack::coordinator::CoordinatorService service(&access, &workers, &jobs, &sweeps, &submitter, &predictions, &review,
                                                     &analysis, &artifacts, &audit);

  auto credentials = foldstack::rpc::ServerCredentials(absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key));
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  const bool tls = !absl::GetFlag(FLAGS_tls_cert).empty();
  if (!tls && !foldstack::rpc::IsLoopbackAddress(absl::GetFlag(FLAGS_listen))) {
    Log("warning: serving " + absl::GetFlag(FLAGS_listen) +
        " in plaintext: tokens and results cross the network unencrypted; pass --tls_cert and --tls_key");
  }

  // The dashboard binds before anything is announced, so a bad --http stops the coordinator before
  // its "listening on" line; its own line follows that one. With --tls_cert it serves HTTPS with the
  // same certificate.
  foldstack::coordinator::PhotoManager photos(**db);
  foldstack::http::DashboardServer dashboard(
      {tokens->get(), &limiter, &clock, &sweeps, &audit, &analysis, &photos, &review},
      {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key)});
  const std::string http = absl::GetFlag(FLAGS_http);
  int http_port = 0;
  if (!http.empty()) {
    absl::StatusOr<int> bound = dashboard.Start(http);
    if (!bound.ok()) return Fail(std::string(bound.status().message()));
    http_port = *bound;
    if (!tls && !foldstack::rpc::IsLoopbackAddress(http)) {
      Log("warning: the dashboard on " + http +
          " is plain HTTP: session cookies and results cross the network unencrypted; pass --tls_cert and "
          "--tls_key, or keep it on loopback (e.g. behind ssh -L)");
    }
  }

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), *credentials, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(256 * 1024 * 1024);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return Fail(absl::StrCat("cannot listen on ", absl::GetFlag(FLAGS_listen)));
  std::string host = absl::GetFlag(FLAGS_listen);
  host = host.substr(0, host.rfind(':'));
  std::cout << "foldstack-coordinator listening on " << host << ":" << port << (tls ? " with TLS" : "") << " (db "
            << absl::GetFlag(FLAGS_db) << ", artifacts " << (*storage)->root() << ")" << std::endl;
  if (!http.empty()) {
    std::cout << "foldstack-coordinator dashboard on " << (tls ? "https://" : "http://") << http.substr(0, http.rfind(':')) << ":" << http_port
              << std::endl;
  }

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

  int received = WaitForStop(signals, **tokens);
  std::cerr << "foldstack-coordinator: " << strsignal(received) << ", shutting down" << std::endl;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  reaper.join();
  dashboard.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
