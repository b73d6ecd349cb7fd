// The pruner a sweep file asks for: `early_terminate:` (W&B's key; type hyperband, asha or
// median) and Foldstack's own `fold_pruning:`. See README.md in this directory for every key.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNERS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNERS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// Either argument may be null (the key is absent). Returns a CompositePruner of what is
// configured (early_terminate first), or a Pruner that never stops anything when neither is.
// Errors are one line naming the key: "early_terminate.eta: expected an integer >= 2, got 1".
absl::StatusOr<std::unique_ptr<Pruner>> MakePruner(const nlohmann::json& early_terminate,
                                                   const nlohmann::json& fold_pruning);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNERS_H_
