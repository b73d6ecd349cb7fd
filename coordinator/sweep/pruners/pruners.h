// TEMPORARY placeholder until the pruners branch lands: only "no pruning" is accepted.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNERS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_PRUNERS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

inline absl::StatusOr<std::unique_ptr<Pruner>> MakePruner(const nlohmann::json& early_terminate,
                                                          const nlohmann::json& fold_pruning) {
  if (!early_terminate.is_null() || !fold_pruning.is_null()) {
    return absl::InvalidArgumentError("early_terminate: not yet");
  }
  return std::unique_ptr<Pruner>(new Pruner());
}

}  // namespace foldstack::sweep

#endif
