// Stopping a job's child the way W&B's agent and Ray stop trials: ask (a stop file the program's
// should_stop() sees, and SIGTERM), wait a grace period, then kill.
#ifndef FOLDSTACK_WORKER_AGENT_GRACEFUL_STOP_H_
#define FOLDSTACK_WORKER_AGENT_GRACEFUL_STOP_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace foldstack::worker {

class GracefulStop {
 public:
  // `signal` sends a signal to the child's process group (a no-op once it has ended).
  GracefulStop(std::function<void(int)> signal, std::string stop_file, int grace_ms);
  ~GracefulStop();

  // Creates the stop file, sends SIGTERM and kills after the grace period unless Finished() first.
  void Begin();
  // The child has ended: nothing more to send.
  void Finished();

 private:
  std::function<void(int)> signal_;
  std::string stop_file_;
  int grace_ms_;
  std::mutex mutex_;
  std::condition_variable finished_changed_;
  bool finished_ = false;
  std::thread killer_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_GRACEFUL_STOP_H_
