// A real Foldstack cluster on loopback for system tests: the coordinator, workers and the CLI run as
// the built binaries in child processes, exactly as an operator starts them.
#ifndef FOLDSTACK_TESTS_TESTING_CLUSTER_H_
#define FOLDSTACK_TESTS_TESTING_CLUSTER_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "worker/agent/child_process.h"

namespace foldstack::testing {

// Path of a binary built by Bazel and listed in the test's data, e.g. "coordinator/foldstack-coordinator".
std::string BinaryPath(const std::string& workspace_relative);

// A fresh folder under $TEST_TMPDIR.
std::string MakeTempDir(const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a program to completion and collects its output.
CommandResult RunCommand(const std::vector<std::string>& argv);

class Cluster {
 public:
  explicit Cluster(std::string dir);  // holds the database, tokens file and process logs
  ~Cluster();                         // kills whatever still runs

  // From now on the coordinator serves TLS with `cert` / `key`, and workers and the CLI trust `ca`.
  void UseTls(std::string cert, std::string key, std::string ca);
  // With `same_address`, a restarted coordinator listens where the previous one did, so that the
  // workers started before it find it again; otherwise on a new port.
  absl::Status StartCoordinator(int lease_ttl_ms, int heartbeat_ms, bool same_address = false);
  // Signals the coordinator and waits for it to exit; StartCoordinator starts a new one on the same
  // database.
  void StopCoordinator(int signal);
  // Waits for a worker that exits by itself (e.g. with --max_jobs); returns its exit code.
  int WaitWorker(int index);
  // Returns the worker's index for KillWorker.
  absl::StatusOr<int> StartWorker(const std::vector<std::string>& extra_flags = {});
  void KillWorker(int index, int signal);
  pid_t WorkerPid(int index) const;  // 0 once it was stopped or waited for

  // `foldstack ARGS --coordinator ... --token ...`
  CommandResult Cli(std::vector<std::string> args) const;
  // `foldstack sweep submit PATH`: the new sweep's id, or the CLI's error.
  absl::StatusOr<int64_t> SubmitSweep(const std::string& path) const;
  // `foldstack ARGS --json`, parsed.
  absl::StatusOr<nlohmann::json> CliJson(std::vector<std::string> args) const;
  // Polls `sweep show` until the sweep leaves "running" or timeout; returns the last response.
  absl::StatusOr<nlohmann::json> WaitForSweep(int64_t sweep_id, int timeout_seconds) const;

  const std::string& dir() const { return dir_; }
  const std::string& address() const { return address_; }
  const std::string& token() const { return token_; }
  std::string db_path() const { return dir_ + "/foldstack.db"; }

 private:
  struct Process {
    std::unique_ptr<worker::ChildProcess> child;
    std::vector<std::thread> drains;  // keep pipes from filling
  };
  Process Launch(const std::vector<std::string>& argv, const std::string& log_name, std::string* first_stdout_line);
  void Stop(Process& process, int signal);
  // Waits for the process to exit and for its output to be drained.
  worker::ExitStatus Reap(Process& process);

  std::string dir_;
  std::string token_ = "test-token-5f3a";
  std::string address_;
  std::string tls_cert_, tls_key_, tls_ca_;
  Process coordinator_;
  int coordinator_starts_ = 0;  // later starts log to coordinator<N>.log
  std::vector<Process> workers_;
};

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_CLUSTER_H_
