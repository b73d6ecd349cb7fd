// States as people read them: the proto enum's name without its prefix, in lower case
// (SWEEP_STATE_DONE -> "done"). --json output keeps the proto names.
#ifndef FOLDSTACK_CLI_STATE_NAMES_H_
#define FOLDSTACK_CLI_STATE_NAMES_H_

#include <string>

#include "absl/strings/ascii.h"
#include "proto/foldstack.pb.h"

namespace foldstack::cli {

namespace internal {
inline std::string Short(const std::string& name, size_t prefix) {
  return absl::AsciiStrToLower(name.size() > prefix ? name.substr(prefix) : name);
}
}  // namespace internal

inline std::string Name(foldstack::v1::SweepState s) {
  return internal::Short(foldstack::v1::SweepState_Name(s), sizeof("SWEEP_STATE_") - 1);
}
inline std::string Name(foldstack::v1::TrialState s) {
  return internal::Short(foldstack::v1::TrialState_Name(s), sizeof("TRIAL_STATE_") - 1);
}
inline std::string Name(foldstack::v1::JobState s) {
  return internal::Short(foldstack::v1::JobState_Name(s), sizeof("JOB_STATE_") - 1);
}
inline std::string Name(foldstack::v1::WorkerState s) {
  return internal::Short(foldstack::v1::WorkerState_Name(s), sizeof("WORKER_STATE_") - 1);
}
inline std::string Name(foldstack::v1::RunState s) {
  return internal::Short(foldstack::v1::RunState_Name(s), sizeof("RUN_STATE_") - 1);
}

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_STATE_NAMES_H_
