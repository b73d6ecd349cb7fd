// Slows down token guessing: once a peer (host, any port) has failed authentication
// `max_failures` times within `window_ms`, its calls are refused without checking the token until
// the oldest of those failures is older than the window.
#ifndef FOLDSTACK_COORDINATOR_AUTH_FAILURE_LIMITER_H_
#define FOLDSTACK_COORDINATOR_AUTH_FAILURE_LIMITER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/managers/clock.h"

namespace foldstack::auth {

struct FailureLimits {
  int max_failures = 10;
  int64_t window_ms = 60'000;
};

class FailureLimiter {
 public:
  explicit FailureLimiter(coordinator::Clock& clock, FailureLimits limits = {}) : clock_(clock), limits_(limits) {}

  // Whether `host` has used up its failures for now.
  bool Blocked(const std::string& host);
  void RecordFailure(const std::string& host);

 private:
  // Drops `failures`' entries older than the window.
  void Expire(std::deque<int64_t>& failures, int64_t now_ms) const;

  coordinator::Clock& clock_;
  const FailureLimits limits_;
  absl::Mutex mutex_;
  std::map<std::string, std::deque<int64_t>> failures_ ABSL_GUARDED_BY(mutex_);
};

// The host part of a gRPC peer string: "ipv4:10.0.0.7:51234" -> "10.0.0.7",
// "ipv6:[::1]:4000" -> "[::1]"; anything else as given.
std::string PeerHost(absl::string_view peer);

}  // namespace foldstack::auth

#endif  // FOLDSTACK_COORDINATOR_AUTH_FAILURE_LIMITER_H_
