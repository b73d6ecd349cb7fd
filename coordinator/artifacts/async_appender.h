// Appends to an ArtifactWriter on a thread of its own, so that receiving the next chunk (gRPC)
// overlaps hashing and writing the previous one. At most `max_queued` chunks wait; Push blocks
// beyond that. The first error stops the appending; Push and Finish then return it.
#ifndef FOLDSTACK_COORDINATOR_ARTIFACTS_ASYNC_APPENDER_H_
#define FOLDSTACK_COORDINATOR_ARTIFACTS_ASYNC_APPENDER_H_

#include <deque>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/artifacts/artifact_storage.h"

namespace foldstack::artifacts {

class AsyncAppender {
 public:
  // `writer` must outlive the appender.
  explicit AsyncAppender(ArtifactWriter& writer, size_t max_queued = 8);
  ~AsyncAppender();  // waits for the thread (dropping what is still queued)
  AsyncAppender(const AsyncAppender&) = delete;
  AsyncAppender& operator=(const AsyncAppender&) = delete;

  // Queues `bytes` (moved); the error of an earlier Append, if any.
  absl::Status Push(std::string bytes);
  // Waits until everything queued is appended; the first error, if any.
  absl::Status Finish();

 private:
  void Run();

  ArtifactWriter& writer_;
  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace foldstack::artifacts

#endif  // FOLDSTACK_COORDINATOR_ARTIFACTS_ASYNC_APPENDER_H_
