#include "worker/agent/child_process.h"

#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace foldstack::worker {

std::string ExitStatus::Describe() const {
  if (signaled) return absl::StrCat("killed by signal ", value, " (", strsignal(value), ")");
  return absl::StrCat("exited with code ", value);
}

ChildProcess::ChildProcess(pid_t pid, int stdout_fd, int stderr_fd, int events_fd)
    : pid_(pid), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd), events_fd_(events_fd) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), stdout_fd_(other.stdout_fd_), stderr_fd_(other.stderr_fd_), events_fd_(other.events_fd_),
      reaped_(other.reaped_) {
  other.pid_ = -1;
  other.stdout_fd_ = other.stderr_fd_ = other.events_fd_ = -1;
  other.reaped_ = true;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    Signal(SIGKILL);
    Wait();
  }
  for (int fd : {stdout_fd_, stderr_fd_, events_fd_}) {
    if (fd >= 0) close(fd);
  }
}

namespace {

// Pipes whose ends are closed on any failure path; the parent keeps the read ends.
struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  int TakeReadEnd() { return std::exchange(fds[0], -1); }
};

// The agent's environment with `overrides` (NAME=VALUE) applied.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  auto overridden = [&](const char* entry) {
    const char* eq = strchr(entry, '=');
    const size_t name_length = eq == nullptr ? strlen(entry) : static_cast<size_t>(eq - entry) + 1;
    for (const std::string& o : overrides) {
      if (o.compare(0, name_length, entry, name_length) == 0) return true;
    }
    return false;
  };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!overridden(*entry)) env.emplace_back(*entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv) {
  SpawnOptions options;
  options.argv = argv;
  return Spawn(options);
}

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const SpawnOptions& options) {
  const std::vector<std::string>& argv = options.argv;
  if (argv.empty()) return absl::InvalidArgumentError("spawn: empty command");
  Pipe out, err, events;
  for (Pipe* pipe : {&out, &err, &events}) {
    if (pipe == &events && !options.events_pipe) continue;
    if (pipe2(pipe->fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], STDERR_FILENO);
  if (options.events_pipe) posix_spawn_file_actions_adddup2(&actions, events.fds[1], 3);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Own process group (signal the whole job at once) and default signal handling: the agent blocks
  // SIGTERM/SIGINT in its threads, which a child would otherwise inherit.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);

  std::vector<char*> args = CStrings(argv);
  const std::vector<std::string> env_strings = ChildEnvironment(options.env);
  std::vector<char*> env = CStrings(env_strings);
  pid_t pid = -1;
  int rc = options.search_path
               ? posix_spawnp(&pid, argv[0].c_str(), &actions, &attributes, args.data(), env.data())
               : posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return absl::FailedPreconditionError(absl::StrCat("cannot start ", argv[0], ": ", strerror(rc)));
  return ChildProcess(pid, out.TakeReadEnd(), err.TakeReadEnd(), events.TakeReadEnd());
}

void ChildProcess::Signal(int signal) const {
  if (pid_ > 0 && !reaped_) kill(-pid_, signal);
}

ExitStatus ChildProcess::Wait() {
  ExitStatus result;
  if (pid_ <= 0 || reaped_) return result;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.value = WTERMSIG(status);
  } else {
    result.value = WEXITSTATUS(status);
  }
  return result;
}

void ForEachLine(int fd, const std::function<void(const std::string&)>& on_line) {
  std::string pending;
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1) {
      on_line(pending.substr(start, newline - start));
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
}

}  // namespace foldstack::worker
