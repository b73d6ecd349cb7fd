#include "tests/testing/cluster.h"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace foldstack::testing {

std::string BinaryPath(const std::string& workspace_relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr) return workspace_relative;
  return absl::StrCat(srcdir, "/", workspace ? workspace : "foldstack", "/", workspace_relative);
}

std::string MakeTempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(base ? base : "/tmp", "/", name);
  std::string command = absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'");
  if (std::system(command.c_str()) != 0) std::cerr << "cannot create " << dir << std::endl;
  return dir;
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  CommandResult result;
  absl::StatusOr<worker::ChildProcess> child = worker::ChildProcess::Spawn(argv);
  if (!child.ok()) {
    result.err = std::string(child.status().message());
    return result;
  }
  std::thread err_reader([&] { worker::ForEachLine(child->stderr_fd(), [&](const std::string& l) { result.err += l + "\n"; }); });
  worker::ForEachLine(child->stdout_fd(), [&](const std::string& line) { result.out += line + "\n"; });
  err_reader.join();
  worker::ExitStatus exit = child->Wait();
  result.exit_code = exit.signaled ? 128 + exit.value : exit.value;
  return result;
}

Cluster::Cluster(std::string dir) : dir_(std::move(dir)) {
  std::ofstream(dir_ + "/tokens") << "# test tokens\n" << token_ << "\n";
}

Cluster::~Cluster() {
  for (auto& worker : workers_) Stop(worker, SIGKILL);
  Stop(coordinator_, SIGTERM);
}

Cluster::Process Cluster::Launch(const std::vector<std::string>& argv, const std::string& log_name,
                                 std::string* first_stdout_line) {
  Process process;
  absl::StatusOr<worker::ChildProcess> child = worker::ChildProcess::Spawn(argv);
  if (!child.ok()) {
    std::cerr << child.status() << std::endl;
    return process;
  }
  process.child = std::make_unique<worker::ChildProcess>(std::move(*child));
  auto log = std::make_shared<std::ofstream>(dir_ + "/" + log_name + ".log");
  auto first_line = std::make_shared<std::promise<std::string>>();
  std::future<std::string> first_line_future = first_line->get_future();
  int out_fd = process.child->stdout_fd(), err_fd = process.child->stderr_fd();
  process.drains.emplace_back([out_fd, log, first_line] {
    bool first = true;
    worker::ForEachLine(out_fd, [&](const std::string& line) {
      if (first) first_line->set_value(line);
      first = false;
      *log << line << std::endl;
    });
    if (first) first_line->set_value("");
  });
  process.drains.emplace_back([err_fd, log] {
    worker::ForEachLine(err_fd, [&](const std::string& line) { *log << line << std::endl; });
  });
  if (first_stdout_line != nullptr) {
    if (first_line_future.wait_for(std::chrono::seconds(30)) == std::future_status::ready) {
      *first_stdout_line = first_line_future.get();
    }
  }
  return process;
}

void Cluster::Stop(Process& process, int signal) {
  if (process.child) process.child->Signal(signal);
  Reap(process);
}

worker::ExitStatus Cluster::Reap(Process& process) {
  worker::ExitStatus status;
  if (process.child) {
    status = process.child->Wait();
    process.child.reset();  // reaped: its pid may belong to another process now
  }
  for (auto& drain : process.drains) {
    if (drain.joinable()) drain.join();
  }
  process.drains.clear();
  return status;
}

void Cluster::UseTls(std::string cert, std::string key, std::string ca) {
  tls_cert_ = std::move(cert);
  tls_key_ = std::move(key);
  tls_ca_ = std::move(ca);
}

absl::Status Cluster::StartCoordinator(int lease_ttl_ms, int heartbeat_ms, bool same_address) {
  std::string line;
  const std::string log_name = coordinator_starts_ == 0 ? "coordinator" : absl::StrCat("coordinator", coordinator_starts_);
  ++coordinator_starts_;
  const std::string listen = same_address && !address_.empty() ? address_ : "127.0.0.1:0";
  std::vector<std::string> argv = {BinaryPath("coordinator/foldstack-coordinator"), "--listen", listen, "--db",
                                   db_path(), "--tokens", dir_ + "/tokens", absl::StrCat("--lease_ttl_ms=", lease_ttl_ms),
                                   absl::StrCat("--heartbeat_ms=", heartbeat_ms)};
  if (!tls_cert_.empty()) argv.insert(argv.end(), {"--tls_cert=" + tls_cert_, "--tls_key=" + tls_key_});
  coordinator_ = Launch(argv, log_name, &line);
  // "foldstack-coordinator listening on 127.0.0.1:PORT (db ...)"
  size_t at = line.find("listening on ");
  if (at == std::string::npos) return absl::InternalError(absl::StrCat("coordinator did not start: ", line));
  std::string rest = line.substr(at + 13);
  address_ = rest.substr(0, rest.find(' '));
  return absl::OkStatus();
}

absl::StatusOr<int> Cluster::StartWorker(const std::vector<std::string>& extra_flags) {
  int index = static_cast<int>(workers_.size());
  std::vector<std::string> argv = {BinaryPath("worker/foldstack-worker"), "--coordinator", address_, "--token",
                                   token_, "--threads=1", "--poll_ms=200",
                                   "--work_dir=" + dir_ + "/worker" + std::to_string(index)};
  if (!tls_ca_.empty()) argv.push_back("--tls_ca=" + tls_ca_);
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  workers_.push_back(Launch(argv, absl::StrCat("worker", index), nullptr));
  if (!workers_.back().child) return absl::InternalError("worker did not start");
  return index;
}

void Cluster::KillWorker(int index, int signal) { Stop(workers_.at(index), signal); }

void Cluster::StopCoordinator(int signal) { Stop(coordinator_, signal); }

int Cluster::WaitWorker(int index) {
  const worker::ExitStatus status = Reap(workers_.at(index));
  return status.signaled ? -1 : status.value;
}

pid_t Cluster::WorkerPid(int index) const {
  const auto& child = workers_.at(index).child;
  return child ? child->pid() : 0;
}

CommandResult Cluster::Cli(std::vector<std::string> args) const {
  args.insert(args.begin(), BinaryPath("cli/foldstack"));
  args.push_back("--coordinator=" + address_);
  args.push_back("--token=" + token_);
  if (!tls_ca_.empty()) args.push_back("--tls_ca=" + tls_ca_);
  return RunCommand(args);
}

absl::StatusOr<int64_t> Cluster::SubmitSweep(const std::string& path) const {
  CommandResult submitted = Cli({"sweep", "submit", path});
  int64_t sweep_id = 0;
  if (submitted.exit_code != 0 || !absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id)) {
    return absl::InternalError(absl::StrCat("sweep submit ", path, " exited with ", submitted.exit_code, ": ",
                                            submitted.out, submitted.err));
  }
  return sweep_id;
}

absl::StatusOr<nlohmann::json> Cluster::CliJson(std::vector<std::string> args) const {
  args.push_back("--json");
  CommandResult result = Cli(args);
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat("foldstack exited with ", result.exit_code, ": ", result.err));
  }
  try {
    return nlohmann::json::parse(result.out);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("not JSON: ", result.out));
  }
}

absl::StatusOr<nlohmann::json> Cluster::WaitForSweep(int64_t sweep_id, int timeout_seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  nlohmann::json last;
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<nlohmann::json> shown = CliJson({"sweep", "show", std::to_string(sweep_id)});
    if (!shown.ok()) return shown.status();
    last = *shown;
    if (last["summary"]["state"] != "SWEEP_STATE_RUNNING") return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return absl::DeadlineExceededError(absl::StrCat("sweep ", sweep_id, " still running after ", timeout_seconds,
                                                  "s: ", last.dump()));
}

}  // namespace foldstack::testing
