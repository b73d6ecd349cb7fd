#ifndef FOLDSTACK_COORDINATOR_SWEEP_PARAM_SAMPLING_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PARAM_SAMPLING_H_

// Turning a ParamSpec into values: random draws and grid enumeration, with
// W&B's meanings (see param_spec.h for the references).

#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/param_spec.h"
#include "coordinator/sweep/portable_random.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// One random value. Constants consume no randomness; a categorical consumes
// one Uniform01 (choosing by cumulative probability); int_uniform one
// UniformInt; the uniform family one Uniform01; the normal family one
// StandardNormal. Quantisation rounds halves to even, like numpy.round.
// The result is a JSON integer for integer settings (and int_uniform), else a
// float; it is NOT checked against the setting (normal draws may stray).
nlohmann::json DrawValue(const ParamSpec& spec, PortableRng& rng);

// The values a grid sweep tries for this parameter, as W&B's grid search
// does: value -> [value]; values -> values in file order; int_uniform ->
// min, min+1, ..., max; q_uniform -> min, min+q, ... while < max (W&B uses
// numpy.arange, so max itself is never included). Anything else, or values
// with probabilities, is an error: "parameters.lr: grid sweeps need values
// lists; ...".
absl::StatusOr<std::vector<nlohmann::json>> GridValues(const ParamSpec& spec);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PARAM_SAMPLING_H_
