#include "worker/agent/graceful_stop.h"

#include <signal.h>

#include <chrono>
#include <fstream>

namespace foldstack::worker {

GracefulStop::GracefulStop(std::function<void(int)> signal, std::string stop_file, int grace_ms)
    : signal_(std::move(signal)), stop_file_(std::move(stop_file)), grace_ms_(grace_ms) {}

GracefulStop::~GracefulStop() {
  Finished();
  if (killer_.joinable()) killer_.join();
}

void GracefulStop::Begin() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_ || killer_.joinable()) return;
  std::ofstream(stop_file_) << "stop\n";
  signal_(SIGTERM);
  killer_ = std::thread([this] {
    std::unique_lock<std::mutex> wait_lock(mutex_);
    if (!finished_changed_.wait_for(wait_lock, std::chrono::milliseconds(grace_ms_), [this] { return finished_; })) {
      signal_(SIGKILL);
    }
  });
}

void GracefulStop::Finished() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  finished_changed_.notify_all();
}

}  // namespace foldstack::worker
