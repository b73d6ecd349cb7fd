// Search methods by name (a sweep file's `method:`), each with its options under `sampler:`.
// Pruners are made by pruners/pruners.h from `early_terminate:` and `fold_pruning:`.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_REGISTRY_H_
#define FOLDSTACK_COORDINATOR_SWEEP_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/search_space.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// grid, random, tpe, bayes.
const std::vector<std::string>& SamplerNames();

// The sampler for `method` over `space`, configured by `options` (the `sampler:` mapping; null
// for the defaults). Errors are one line starting with the key ("method: ...", "sampler.KEY:
// ...", "parameters.NAME: ...").
absl::StatusOr<std::unique_ptr<Sampler>> MakeSampler(const std::string& method,
                                                     const SearchSpace& space,
                                                     const nlohmann::json& options);

// Trials in flight at once when the sweep file does not say (max_concurrent_trials): unlimited
// (0) for methods that ignore results, 4 for model-based ones, which learn from finished trials.
int DefaultMaxConcurrentTrials(const std::string& method);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_REGISTRY_H_
