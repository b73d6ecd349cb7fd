#include "coordinator/auth/failure_limiter.h"

#include "absl/strings/strip.h"

namespace foldstack::auth {

bool FailureLimiter::Blocked(const std::string& host) {
  absl::MutexLock lock(&mutex_);
  auto it = failures_.find(host);
  if (it == failures_.end()) return false;
  Expire(it->second, clock_.NowMs());
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= limits_.max_failures;
}

void FailureLimiter::RecordFailure(const std::string& host) {
  absl::MutexLock lock(&mutex_);
  const int64_t now_ms = clock_.NowMs();
  std::deque<int64_t>& failures = failures_[host];
  Expire(failures, now_ms);
  failures.push_back(now_ms);
}

void FailureLimiter::Expire(std::deque<int64_t>& failures, int64_t now_ms) const {
  while (!failures.empty() && failures.front() <= now_ms - limits_.window_ms) failures.pop_front();
}

std::string PeerHost(absl::string_view peer) {
  for (absl::string_view scheme : {"ipv4:", "ipv6:"}) {
    if (!absl::ConsumePrefix(&peer, scheme)) continue;
    const size_t colon = peer.rfind(':');
    return std::string(colon == absl::string_view::npos ? peer : peer.substr(0, colon));
  }
  return std::string(peer);
}

}  // namespace foldstack::auth
