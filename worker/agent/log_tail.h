// The lines a job's child writes to stderr (and a program's stdout): all of them in the job's log
// file, the last few kept with a failure.
#ifndef FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_
#define FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_

#include <deque>
#include <fstream>
#include <mutex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace foldstack::worker {

class LogTail {
 public:
  LogTail(size_t lines, const std::string& log_file) : lines_(lines), log_(log_file, std::ios::app) {}
  void Add(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    log_ << line << '\n';
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
  std::ofstream log_;
  std::deque<std::string> tail_;
  std::string last_error_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_LOG_TAIL_H_
