// The last lines a job's child wrote to stderr (and a program's stdout): kept with a failure.
#ifndef FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_
#define FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_

#include <deque>
#include <mutex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace foldstack::worker {

class LogTail {
 public:
  explicit LogTail(size_t lines) : lines_(lines) {}
  void Add(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    tail_.push_back(line);
    if (tail_.size() > lines_) tail_.pop_front();
    if (absl::StartsWith(line, "error: ")) last_error_ = line.substr(7);
  }
  std::string Text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return absl::StrJoin(tail_, "\n");
  }
  // The last "error: ..." line's message (the trainer's convention), "" when none.
  std::string LastError() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_error_;
  }

 private:
  size_t lines_;
  mutable std::mutex mutex_;
  std::deque<std::string> tail_;
  std::string last_error_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_
