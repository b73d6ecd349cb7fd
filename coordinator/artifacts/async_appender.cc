#include "coordinator/artifacts/async_appender.h"

namespace foldstack::artifacts {

AsyncAppender::AsyncAppender(ArtifactWriter& writer, size_t max_queued)
    : writer_(writer), max_queued_(max_queued), thread_([this] { Run(); }) {}

AsyncAppender::~AsyncAppender() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    queue_.clear();
  }
  thread_.join();
}

absl::Status AsyncAppender::Push(std::string bytes) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](AsyncAppender* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
        return self->queue_.size() < self->max_queued_ || !self->status_.ok();
      },
      this));
  if (status_.ok()) queue_.push_back(std::move(bytes));
  return status_;
}

absl::Status AsyncAppender::Finish() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](AsyncAppender* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
        return (self->queue_.empty() && !self->busy_) || !self->status_.ok();
      },
      this));
  return status_;
}

void AsyncAppender::Run() {
  while (true) {
    std::string bytes;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](AsyncAppender* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return !self->queue_.empty() || self->closed_;
          },
          this));
      if (queue_.empty()) return;  // closed
      bytes = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    absl::Status appended = writer_.Append(bytes);
    absl::MutexLock lock(&mu_);
    busy_ = false;
    if (!appended.ok()) {
      status_ = appended;
      queue_.clear();
      closed_ = true;
      return;
    }
  }
}

}  // namespace foldstack::artifacts
