#ifndef FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_

// From a sampler's proposal to a trial's complete trainer settings, and a sweep's trial budget.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sweep_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// `path` made absolute against `base_dir` when relative (and base_dir is given), normalised.
std::string ResolvePath(const std::string& path, const std::string& base_dir);

// The trial's COMPLETE trainer settings: `params` (a sampler's swept values) with every other
// setting at its default, canonicalised by common::CompleteSettings; `pretrained: PATH` resolved
// against `base_dir` (the sweep file's folder) and required to be a readable safetensors file.
// Errors start with the file name.
absl::StatusOr<nlohmann::json> CompleteTrial(const SweepSpec& spec, const std::string& base_dir,
                                             const nlohmann::json& params);

// The trials a sweep starts with: as many as its budget and max_concurrent_trials allow, asked
// from the sampler on an empty history and completed (CompleteTrial). The trial scheduler asks
// for the rest as trials end; on an empty history it would ask exactly these. For grid and
// random (unlimited in flight by default) that is every trial: the grid's points in order,
// capped by count, or `count` random trials (trial i the same whatever the count).
absl::StatusOr<std::vector<nlohmann::json>> InitialTrials(const SweepSpec& spec,
                                                          const std::string& base_dir);

// How many trials the sweep makes in all: count; for a grid without count, the grid's size.
// A grid of more than kMaxTrialsPerSweep points needs a count (error "parameters: the grid has
// more than ...").
absl::StatusOr<int64_t> TrialBudget(const SweepSpec& spec);


}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
