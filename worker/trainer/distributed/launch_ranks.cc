#include "worker/trainer/distributed/launch_ranks.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "worker/agent/child_process.h"
#include "worker/trainer/distributed/loopback_port.h"

extern char** environ;

namespace foldstack::trainer::distributed {
namespace {

constexpr int kAbandonExitCode = 2;  // the trainer's failure status
constexpr const char* kRankVariables[] = {kRankEnv, kWorldSizeEnv, kMasterAddrEnv, kMasterPortEnv};

std::vector<std::pair<std::string, std::string>> RankVariables(const RankInfo& info) {
  return {{kRankEnv, std::to_string(info.rank)},
          {kWorldSizeEnv, std::to_string(info.world_size)},
          {kMasterAddrEnv, info.master_addr},
          {kMasterPortEnv, std::to_string(info.master_port)}};
}

// This process's environment with the rank variables replaced.
std::vector<std::string> ChildEnvironment(const RankInfo& info) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    bool is_rank_variable = false;
    for (const char* name : kRankVariables) is_rank_variable |= absl::StartsWith(*entry, absl::StrCat(name, "="));
    if (!is_rank_variable) entries.emplace_back(*entry);
  }
  for (const auto& [name, value] : RankVariables(info)) entries.push_back(absl::StrCat(name, "=", value));
  return entries;
}

// Sets the rank variables in this process for rank 0's lifetime, then restores them.
class ScopedRankEnvironment {
 public:
  explicit ScopedRankEnvironment(const RankInfo& info) {
    for (const auto& [name, value] : RankVariables(info)) {
      const char* old = std::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedRankEnvironment() {
    for (const auto& [name, old] : saved_) {
      if (old.has_value()) {
        setenv(name.c_str(), old->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

struct ChildRank {
  int rank = 0;
  pid_t pid = -1;
  int output_fd = -1;    // read end of the child's stdout + stderr
  bool exited = false;   // guarded by the supervisor's mutex; set before the pid is reaped
};

// Forks and execs one rank; its stdout and stderr go to a pipe read by Watch.
absl::Status SpawnChild(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                        ChildRank& child) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<char*> argv;
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const std::string exec_failed = absl::StrCat("error: cannot run ", command[0], "\n");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(error)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphaned ranks if the launcher dies
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    ssize_t ignored = write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    (void)ignored;
    _exit(127);
  }
  close(fds[1]);
  child.pid = pid;
  child.output_fd = fds[0];
  return absl::OkStatus();
}

std::string DescribeExit(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return absl::StrCat("exit status ", info.si_status);
  return absl::StrCat("killed by signal ", info.si_status);
}

// Watches the child ranks and rank 0; the first failure stops everything.
class Supervisor {
 public:
  Supervisor(int world_size, std::chrono::milliseconds abandon_after)
      : world_size_(world_size), abandon_after_(abandon_after) {}

  // Takes a spawned child and starts forwarding its output and awaiting its exit.
  void Watch(std::unique_ptr<ChildRank> child) {
    ChildRank* watched = child.get();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      children_.push_back(std::move(child));
    }
    threads_.emplace_back([this, watched] { WatchChild(*watched); });
  }

  void StartWatchdog() {
    threads_.emplace_back([this] { Watchdog(); });
  }

  // Rank 0 returned `code`; a failing rank 0 stops the children, which would
  // otherwise wait for it until their collectives time out.
  void Rank0Done(int code) {
    std::lock_guard<std::mutex> lock(mutex_);
    rank0_done_ = true;
    if (code != 0) StopLocked();
    cv_.notify_all();
  }

  // Stops the children (e.g. when launching failed half way).
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    rank0_done_ = true;
    StopLocked();
    cv_.notify_all();
  }

  void Join() {
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  // The first child failure, "" if none.
  std::string failure() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failure_;
  }

 private:
  void WatchChild(ChildRank& child) {
    std::string last_error;
    worker::ForEachLine(child.output_fd, [&](const std::string& text) {
      std::fprintf(stderr, "[rank %d] %s\n", child.rank, text.c_str());
      if (absl::StartsWith(text, "error: ")) last_error = text.substr(7);
    });
    close(child.output_fd);
    siginfo_t info{};
    // WNOWAIT keeps the pid a zombie until `exited` is set, so Stop never
    // signals a pid the kernel may have reused.
    while (waitid(P_PID, child.pid, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      child.exited = true;
      const bool failed = !(info.si_code == CLD_EXITED && info.si_status == 0);
      if (failed && !stopping_) {
        failure_ = absl::StrCat("rank ", child.rank, " of ", world_size_, " failed (", DescribeExit(info), "): ",
                                last_error.empty() ? "it printed no error line" : last_error);
        StopLocked();
      }
      cv_.notify_all();
    }
    while (waitpid(child.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

  // Rank 0 normally fails soon after a peer died (its collectives lose the
  // connection), but it may be stuck in a rendezvous that only times out much
  // later: then give up on it.
  void Watchdog() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return rank0_done_ || !failure_.empty(); });
    if (rank0_done_) return;
    if (cv_.wait_for(lock, abandon_after_, [this] { return rank0_done_; })) return;
    std::fprintf(stderr, "[launcher] rank 0 did not stop within %lld ms of another rank's failure; exiting\n",
                 static_cast<long long>(abandon_after_.count()));
    std::fprintf(stderr, "error: %s\n", failure_.c_str());
    std::fflush(stderr);
    std::_Exit(kAbandonExitCode);
  }

  void StopLocked() {
    stopping_ = true;
    for (const auto& child : children_) {
      if (!child->exited) kill(child->pid, SIGKILL);
    }
  }

  const int world_size_;
  const std::chrono::milliseconds abandon_after_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<ChildRank>> children_;
  bool stopping_ = false;
  bool rank0_done_ = false;
  std::string failure_;
  std::vector<std::thread> threads_;  // touched by the launching thread only
};

}  // namespace

absl::StatusOr<int> LaunchRanks(const LaunchOptions& options, const std::function<int(const RankInfo&)>& run_rank0) {
  if (options.world_size < 1 || options.world_size > kMaxWorldSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranks: expected an integer in [1, ", kMaxWorldSize, "], got ", options.world_size));
  }
  if (options.world_size > 1 && options.command.empty()) {
    return absl::InvalidArgumentError("LaunchRanks: no command to run ranks 1.. with");
  }
  RankInfo info{0, options.world_size, options.master_addr, options.master_port};
  if (info.master_port == 0) {
    absl::StatusOr<int> port = PickFreeLoopbackPort();
    if (!port.ok()) return port.status();
    info.master_port = *port;
  }
  Supervisor supervisor(options.world_size, options.abandon_after);
  for (int rank = 1; rank < options.world_size; ++rank) {
    RankInfo child_info = info;
    child_info.rank = rank;
    auto child = std::make_unique<ChildRank>();
    child->rank = rank;
    absl::Status spawned = SpawnChild(options.command, ChildEnvironment(child_info), *child);
    if (!spawned.ok()) {
      supervisor.Stop();
      supervisor.Join();
      return absl::InternalError(absl::StrCat("cannot start rank ", rank, ": ", spawned.message()));
    }
    supervisor.Watch(std::move(child));
  }
  supervisor.StartWatchdog();
  int code = kAbandonExitCode;
  {
    ScopedRankEnvironment environment(info);
    try {
      code = run_rank0(info);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: rank 0: %s\n", e.what());
    }
  }
  supervisor.Rank0Done(code);
  supervisor.Join();
  const std::string failure = supervisor.failure();
  if (!failure.empty()) return absl::AbortedError(failure);
  return code;
}

absl::StatusOr<std::vector<std::string>> OwnCommandLine() {
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) return absl::InternalError(absl::StrCat("readlink /proc/self/exe: ", std::strerror(errno)));
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  if (!cmdline) return absl::InternalError("cannot read /proc/self/cmdline");
  std::vector<std::string> command;
  for (std::string arg; std::getline(cmdline, arg, '\0');) command.push_back(arg);
  if (command.empty()) return absl::InternalError("/proc/self/cmdline is empty");
  command[0] = std::string(path, static_cast<size_t>(length));
  return command;
}

}  // namespace foldstack::trainer::distributed
