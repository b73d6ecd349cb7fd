// Time source for the managers: the system clock in production, a manual clock in tests
// (time control, so lease expiry can be tested without sleeping).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_CLOCK_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace foldstack::coordinator {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix milliseconds.
  virtual int64_t NowMs() = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowMs() override { return absl::ToUnixMillis(absl::Now()); }
};

class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'000'000) : now_ms_(start_ms) {}
  int64_t NowMs() override { return now_ms_.load(); }
  void AdvanceMs(int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_CLOCK_H_
