#include "coordinator/sweep/states.h"

#include <array>

namespace foldstack::sweep {
namespace {

constexpr std::array<std::string_view, 6> kJobNames = {"queued", "running", "done",
                                                       "failed", "cancelled", "pruned"};
constexpr std::array<std::string_view, 5> kTrialNames = {"running", "done", "pruned", "failed",
                                                         "cancelled"};
constexpr std::array<std::string_view, 4> kSweepNames = {"running", "done", "failed", "cancelled"};

template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view JobStateName(JobState state) { return kJobNames[static_cast<size_t>(state)]; }
std::string_view TrialStateName(TrialState state) { return kTrialNames[static_cast<size_t>(state)]; }
std::string_view SweepStateName(SweepState state) { return kSweepNames[static_cast<size_t>(state)]; }
std::optional<JobState> ParseJobState(std::string_view name) { return Parse<JobState>(kJobNames, name); }
std::optional<TrialState> ParseTrialState(std::string_view name) {
  return Parse<TrialState>(kTrialNames, name);
}
std::optional<SweepState> ParseSweepState(std::string_view name) {
  return Parse<SweepState>(kSweepNames, name);
}

}  // namespace foldstack::sweep
