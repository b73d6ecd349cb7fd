#ifndef FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_

// From a sampler's proposal to a trial's complete trainer settings, and a sweep's trial budget.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sweep_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// The trial's COMPLETE trainer settings: `params` (a sampler's swept values) with every other
// setting at its default, canonicalised by common::CompleteSettings. Errors start with the file.
absl::StatusOr<nlohmann::json> CompleteTrial(const SweepSpec& spec, const nlohmann::json& params);

// How many trials the sweep makes in all: count; for a grid without count, the grid's size.
// A grid of more than kMaxTrialsPerSweep points needs a count (error "parameters: the grid has
// more than ...").
absl::StatusOr<int64_t> TrialBudget(const SweepSpec& spec);

// Every trial's complete settings for a method that ignores results (grid, random), as the
// sampler proposes them on an empty history: the grid's points in order (capped by count), or
// `count` random trials (trial i the same whatever the count). Model-based methods are refused:
// their trials depend on results. Errors start with the file name.
absl::StatusOr<std::vector<nlohmann::json>> ExpandTrials(const SweepSpec& spec);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
