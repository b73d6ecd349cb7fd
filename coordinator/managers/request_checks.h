// The limits of what a request may carry, checked before anything is read or written: the one place
// that says how long a string, how large a count and which numbers the API accepts. Each refusal is
// INVALID_ARGUMENT with one line naming the field and what was expected, quoting no more of the
// input than its size.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_REQUEST_CHECKS_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_REQUEST_CHECKS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

inline constexpr size_t kMaxNameChars = 256;          // metric names, hostnames, versions
inline constexpr size_t kMaxPathChars = 4096;         // file paths
inline constexpr size_t kMaxReasonChars = 64 << 10;   // a failure's reason
inline constexpr size_t kMaxLogTailChars = 1 << 20;   // a failure's log tail
inline constexpr size_t kMaxSweepFileBytes = 1 << 20;  // a sweep file
inline constexpr int32_t kMaxEpoch = 100000;
inline constexpr int32_t kMaxSlots = 1024;
inline constexpr int32_t kMaxPageSize = 1000;
inline constexpr int32_t kDefaultPageSize = 100;

absl::Status CheckRequest(const foldstack::v1::ReportMetricsRequest& request);
absl::Status CheckRequest(const foldstack::v1::CompleteJobRequest& request);
absl::Status CheckRequest(const foldstack::v1::FailJobRequest& request);
absl::Status CheckRequest(const foldstack::v1::RegisterWorkerRequest& request);
absl::Status CheckRequest(const foldstack::v1::SubmitSweepRequest& request);

// A list RPC's page size: 0 is the default, more than the most is the most (as Google's AIP-158
// says), a negative one is refused.
absl::StatusOr<int32_t> PageSize(int32_t requested);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_REQUEST_CHECKS_H_
