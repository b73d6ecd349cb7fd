// `early_terminate: {type: asha}`: Ray Tune's AsyncHyperBandScheduler (ASHA, Li et al. 2018, the
// stopping variant), one bracket, per fold, without memory.
//
// Rungs sit at milestones grace_period * reduction_factor^k below max_t (Ray also makes a rung at
// max_t itself, but a result at max_t stops there before any rung is checked, so it never
// decides). Ray records a trial at a rung on a result whose epoch has reached the milestone, the
// highest such rung not yet recorded, once per rung; as every job reports epochs 1, 2, 3, ..., the
// epoch at which a rung is recorded is the same for every job (with whole-number milestones it is
// the milestone itself), so it is worked out once from the options. When a job records a rung,
// its value at that epoch is compared with the cut-off: np.nanpercentile of what the OTHER trials'
// jobs on the same fold recorded at that rung (every one that has reported that epoch, whatever
// its state) at (1 - 1 / reduction_factor) * 100. No other job there (or only NaN) -> continue;
// value strictly worse than the cut-off -> stop the trial; equal -> continue; a NaN value ->
// continue. Epochs that record no rung always continue.
//
// max_t only places the rungs: a job trains for its own `epochs` (Ray would end trials at max_t;
// here that is the trainer's setting), and rungs at or above a job's epochs never fire.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_ASHA_PRUNER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_ASHA_PRUNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

struct AshaOptions {
  int64_t grace_period = 1;
  double reduction_factor = 4;
  int64_t max_t = 100;
  int brackets = 1;  // only 1 is supported (Ray spreads trials over brackets at random)

  static absl::StatusOr<AshaOptions> Parse(const nlohmann::json& config, const std::string& path);
};

struct AshaRung {
  double milestone = 0;      // grace_period * reduction_factor^k
  int64_t record_epoch = 0;  // the epoch whose result records this rung
};

class AshaPruner : public Pruner {
 public:
  explicit AshaPruner(AshaOptions options);
  PruneDecision OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                        int epoch) const override;

  // Lowest rung first.
  const std::vector<AshaRung>& rungs() const { return rungs_; }

 private:
  AshaOptions options_;
  std::vector<AshaRung> rungs_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_ASHA_PRUNER_H_
