// The states of sweeps, trials and jobs, as enums (their names are what the database stores and
// the CLI prints). Optuna's lesson: PRUNED is a state of its own, neither failed nor cancelled.
//
//   job:   queued --lease--> running --complete--> done
//                               |--pruner / trial stop--> pruned   (metrics kept, no OOF rows)
//                               |--fail/expire, attempts left--> queued
//                               |--fail/expire, none left-----> failed
//          queued|running --cancel--> cancelled
//   trial: running (some job open) -> done (every fold done) | pruned | failed | cancelled
//   sweep: running -> done | failed | cancelled; `paused` is a flag beside the state, not a state.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_STATES_H_
#define FOLDSTACK_COORDINATOR_SWEEP_STATES_H_

#include <optional>
#include <string_view>

namespace foldstack::sweep {

enum class JobState { kQueued, kRunning, kDone, kFailed, kCancelled, kPruned };
enum class TrialState { kRunning, kDone, kPruned, kFailed, kCancelled };
enum class SweepState { kRunning, kDone, kFailed, kCancelled };

std::string_view JobStateName(JobState state);      // "queued", ...
std::string_view TrialStateName(TrialState state);  // "running", ...
std::string_view SweepStateName(SweepState state);
std::optional<JobState> ParseJobState(std::string_view name);
std::optional<TrialState> ParseTrialState(std::string_view name);
std::optional<SweepState> ParseSweepState(std::string_view name);

// Queued or running.
inline bool IsOpen(JobState state) { return state == JobState::kQueued || state == JobState::kRunning; }

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_STATES_H_
