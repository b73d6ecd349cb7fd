// `early_terminate: {type: hyperband}`: W&B's hyperband early termination
// (wandb/sweeps, hyperband_stopping.py: hyperband_stop_runs), per fold, with W&B's keys.
//
// Bands (in epochs):
//   min_iter: min_iter * eta^i (i = 0, 1, ...; W&B lists 100, those past 2^31 epochs are dropped
//             here since no job gets there);
//   max_iter + s: max_iter / eta, max_iter / eta^2, ... (s of them, stopping before one falls
//             below 1), each truncated to an integer, sorted.
// A job's history is its curve up to the epoch just reported with NaN epochs left out (W&B's
// metric_history(filter_invalid=True)), so "band b" is the b-th finite value. W&B's "runs" are
// the jobs of every trial on the same fold - including the job being judged, as W&B's list holds
// the run it judges - in any state, with at least one finite value. On every epoch (W&B re-checks
// every running run each time it runs) the job is checked at its closest band, the largest band
// <= its history length:
//   threshold = the values at that band (history[band - 1]) of the runs whose history reaches it,
//               sorted best first, element floor(n / eta) (W&B: sorted(...)[int(r * n)] with
//               r = 1/eta and the metric negated for maximize);
//   non-strict: stop when the job's best value so far is strictly worse than the threshold;
//   strict:     stop when its value at the band (history[band - 1]) is strictly worse.
// No band reached yet -> continue.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_HYPERBAND_PRUNER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_HYPERBAND_PRUNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/pruner.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

struct HyperbandOptions {
  std::optional<int64_t> min_iter;
  std::optional<int64_t> max_iter;  // with s
  int64_t s = 0;
  int64_t eta = 3;
  // W&B's current default (wandb/sweeps #108, April 2024; false before).
  bool strict = true;

  static absl::StatusOr<HyperbandOptions> Parse(const nlohmann::json& config,
                                                const std::string& path);
};

// W&B's bands for `options`, ascending (duplicates kept, as W&B keeps them). Empty when max_iter
// / eta < 1 (Parse refuses that).
std::vector<int64_t> HyperbandBands(const HyperbandOptions& options);

class HyperbandPruner : public Pruner {
 public:
  explicit HyperbandPruner(HyperbandOptions options);
  PruneDecision OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                        int epoch) const override;

  const std::vector<int64_t>& bands() const { return bands_; }

 private:
  HyperbandOptions options_;
  std::vector<int64_t> bands_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_HYPERBAND_PRUNER_H_
