// The TPE sampler: Optuna 3.1's TPESampler with its defaults (univariate, multivariate=False,
// group=False, constant_liar=False), over the axes of search_space.h. See README.md ("tpe") for
// the options and for how pruned, failed and running trials and k folds feed it.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/search_space.h"
#include "coordinator/sweep/study_view.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

struct TpeOptions {
  int n_startup_trials = 10;    // random draws until this many trials are done or pruned
  int n_ei_candidates = 24;     // candidates drawn from l(x) per parameter
  double gamma_fraction = 0.1;  // the "good" group: min(ceil(gamma_fraction * n), gamma_max)
  int gamma_max = 25;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool consider_prior = true;
  bool weights_ramp = true;  // older observations weigh less beyond 25 (Optuna's default_weights)
};

// The sweep file's `sampler:` options (null or an object). Errors are one line naming the key:
//   sampler.n_startup_trials: expected an integer >= 0, got -1
//   sampler: unknown key "gama" (did you mean "gamma_max"?)
absl::StatusOr<TpeOptions> ParseTpeOptions(const nlohmann::json& options);

// The trials TPE learns from, best first (Optuna's _get_observation_pairs and the order of
// _split_observation_pairs): done trials by value, then pruned trials by (-last epoch, value at
// that epoch); failed, cancelled and running trials are left out. Ties keep index order.
std::vector<const TrialView*> RankTrials(const StudyView& study);

// How many of n ranked trials form the good group.
int TpeGamma(int n, const TpeOptions& options);

class TpeSampler : public SequentialSampler {
 public:
  TpeSampler(SearchSpace space, TpeOptions options);

  // The random params of the trial whose own seed is `trial_seed` (TrialSeed(seed, index)): the
  // startup trials' answer. Every axis is uniform over TPE's prior range (categoricals follow
  // their probabilities).
  absl::StatusOr<nlohmann::json> RandomParams(uint64_t trial_seed) const;

 protected:
  absl::StatusOr<std::optional<nlohmann::json>> AskOne(const StudyView& study,
                                                       uint64_t seed) override;

 private:
  std::vector<Axis> axes_;
  TpeOptions options_;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_H_
