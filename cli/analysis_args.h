// What `relabel find` and `ensemble select` work on: one sweep (SWEEP_ID, optionally --trials of
// it), or across sweeps that share one split: --sweeps 3,4,5 (every completed trial of each) or
// --trials 7,12 with ids from any sweeps.
#ifndef FOLDSTACK_CLI_ANALYSIS_ARGS_H_
#define FOLDSTACK_CLI_ANALYSIS_ARGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace foldstack::cli {

struct AnalysisTarget {
  int64_t sweep_id = 0;  // 0: across sweeps
  std::vector<int64_t> sweep_ids;
  std::vector<int64_t> trial_ids;
};

// "3,4" -> {3, 4}; INVALID_ARGUMENT naming `flag` for anything but positive ids.
absl::StatusOr<std::vector<int64_t>> ParseIds(const std::string& flag, const std::string& text);

// `positional`: the arguments after the subcommand (none, or SWEEP_ID). INVALID_ARGUMENT for
// a bad id, SWEEP_ID with --sweeps, --sweeps with --trials, or nothing to work on.
absl::StatusOr<AnalysisTarget> ParseAnalysisTarget(const std::vector<std::string>& positional,
                                                   const std::string& sweeps_flag, const std::string& trials_flag);

// Copies the target into a FindRelabelCandidatesRequest or SelectEnsembleRequest.
template <typename Request>
void SetTarget(const AnalysisTarget& target, Request* request) {
  request->set_sweep_id(target.sweep_id);
  for (int64_t id : target.sweep_ids) request->add_sweep_ids(id);
  for (int64_t id : target.trial_ids) request->add_trial_ids(id);
}

// "sweep 3" or "sweeps 3,4".
std::string SweepsText(absl::Span<const int64_t> sweep_ids);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_ANALYSIS_ARGS_H_
