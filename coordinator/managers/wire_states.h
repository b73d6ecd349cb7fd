// States as the API sends them: the proto enums list coordinator/sweep/states.h's states in the
// same order after an UNSPECIFIED zero, so each conversion is an offset, checked at compile time.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_WIRE_STATES_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_WIRE_STATES_H_

#include <string_view>

#include "coordinator/sweep/states.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

static_assert(foldstack::v1::JOB_STATE_PRUNED == static_cast<int>(sweep::JobState::kPruned) + 1);
static_assert(foldstack::v1::TRIAL_STATE_CANCELLED == static_cast<int>(sweep::TrialState::kCancelled) + 1);
static_assert(foldstack::v1::SWEEP_STATE_CANCELLED == static_cast<int>(sweep::SweepState::kCancelled) + 1);

inline foldstack::v1::JobState ToWire(sweep::JobState state) {
  return static_cast<foldstack::v1::JobState>(static_cast<int>(state) + 1);
}
inline foldstack::v1::TrialState ToWire(sweep::TrialState state) {
  return static_cast<foldstack::v1::TrialState>(static_cast<int>(state) + 1);
}
inline foldstack::v1::SweepState ToWire(sweep::SweepState state) {
  return static_cast<foldstack::v1::SweepState>(static_cast<int>(state) + 1);
}

// From the names the database stores; UNSPECIFIED for a name no state has.
inline foldstack::v1::JobState JobStateToWire(std::string_view name) {
  auto state = sweep::ParseJobState(name);
  return state ? ToWire(*state) : foldstack::v1::JOB_STATE_UNSPECIFIED;
}
inline foldstack::v1::TrialState TrialStateToWire(std::string_view name) {
  auto state = sweep::ParseTrialState(name);
  return state ? ToWire(*state) : foldstack::v1::TRIAL_STATE_UNSPECIFIED;
}
inline foldstack::v1::SweepState SweepStateToWire(std::string_view name) {
  auto state = sweep::ParseSweepState(name);
  return state ? ToWire(*state) : foldstack::v1::SWEEP_STATE_UNSPECIFIED;
}

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_WIRE_STATES_H_
