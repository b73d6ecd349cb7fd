// A child process with its stdout and stderr on pipes. The worker runs every training job this way so
// that a crash, an abort or a kill -9 of the job never takes the agent down.
#ifndef FOLDSTACK_WORKER_AGENT_CHILD_PROCESS_H_
#define FOLDSTACK_WORKER_AGENT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::worker {

struct ExitStatus {
  bool signaled = false;  // true: killed by signal `value`; false: exited with code `value`
  int value = 0;
  bool ok() const { return !signaled && value == 0; }
  std::string Describe() const;  // "exited with code 2", "killed by signal 9 (Killed)"
};

// How to start a child. The child always gets its own process group, so that the whole job (a
// program's own children too) can be signalled at once.
struct SpawnOptions {
  std::vector<std::string> argv;
  bool search_path = false;          // argv[0] may be a bare name looked up in PATH (posix_spawnp)
  std::string cwd;                   // "" = the agent's
  // NAME=VALUE entries set on top of (or replacing) the agent's own environment.
  std::vector<std::string> env;
  // A third pipe on the child's descriptor 3 (events_fd()): programs report there so that
  // whatever they print to stdout stays a log line.
  bool events_pipe = false;
};

class ChildProcess {
 public:
  static absl::StatusOr<ChildProcess> Spawn(const SpawnOptions& options);
  // Starts argv[0] (a path) with argv in the agent's environment and folder.
  static absl::StatusOr<ChildProcess> Spawn(const std::vector<std::string>& argv);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }
  int events_fd() const { return events_fd_; }  // -1 without SpawnOptions::events_pipe

  // Sends `signal` to the child's process group.
  void Signal(int signal) const;
  // Blocks until the child ends.
  ExitStatus Wait();

 private:
  ChildProcess(pid_t pid, int stdout_fd, int stderr_fd, int events_fd);
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int events_fd_ = -1;
  bool reaped_ = false;
};

// Calls on_line for every line read from fd (without the newline) until EOF; closes nothing.
void ForEachLine(int fd, const std::function<void(const std::string&)>& on_line);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_CHILD_PROCESS_H_
