#ifndef FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_

// A parsed sweep -> the complete trainer settings of every trial.

#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sweep_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// Every trial's COMPLETE trainer settings (defaults filled and values
// canonicalised by common::CompleteSettings), in trial order.
//
// grid: the cartesian product of the parameters' grid values (see
//   GridValues). Parameters nest in name order with the LAST name varying
//   fastest, each one's values in file order (W&B sorts parameters by name
//   and uses itertools.product the same way). With count > 0 only the first
//   `count` trials are made.
// random: `count` trials from one PortableRng seeded with `seed`; each trial
//   draws its parameters in name order, so trial i is the same whatever the
//   count. Draws outside the setting's range (possible only for the normal
//   family, as bounded ranges are checked when parsing) are redrawn, up to
//   1000 times. Duplicate trials are possible and kept, as in W&B.
absl::StatusOr<std::vector<nlohmann::json>> ExpandTrials(const SweepSpec& spec);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_TRIALS_H_
