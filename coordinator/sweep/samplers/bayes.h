// The `bayes` sampler: W&B's bayes search (github.com/wandb/sweeps, src/sweeps/bayes_search.py).
// The swept parameters are mapped to [0, 1] (search_space.h's ToUnit); a Gaussian process with a
// Matérn kernel is fitted to the trials' objective values (normalised, W&B style); the next trial
// is the one of `n_candidates` random points of [0, 1]^d with the largest expected improvement.
// Until `min_finished` trials have a value, trials are random draws from the parameters' own
// distributions. See samplers/README.md for how each trial state feeds the model.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_BAYES_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_BAYES_H_

#include <optional>
#include <vector>

#include "Eigen/Dense"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/sweep/portable_random.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/search_space.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// The keys of the sweep file's `sampler:` mapping; defaults are W&B's.
struct BayesOptions {
  int n_candidates = 1000;  // random points scored per ask (W&B num_points_to_try)
  int min_finished = 2;     // trials with a value before the model takes over (W&B: 2)
  int max_samples = 100;    // at most this many trials fit the model, a random subset (W&B: 100)
  double nu = 1.5;          // Matérn smoothness: 0.5, 1.5 or 2.5 (W&B: 1.5)
  // Exploration margin, in units of the normalised objective: EI is measured against
  // best - xi. W&B passes 0.1 as `improvement` but never uses it, so its effective xi is 0.
  double xi = 0.0;
};

// `config` is the `sampler:` mapping (null = defaults). Errors are one line,
// "sampler.KEY: expected ...", and unknown keys are refused.
absl::StatusOr<BayesOptions> ParseBayesOptions(const nlohmann::json& config);

// OK when bayes can model the space. Refused, with the parameter named:
//  - categorical parameters with probabilities (W&B's bayes maps a weighted categorical
//    through the cumulative probabilities indexed by the value, which fails for anything but
//    small integer values; foldstack's ToUnit has no weights at all);
//  - spaces without a searchable parameter (W&B: "Need at least one searchable parameter"):
//    constants and one-value lists are not searched.
absl::Status CheckBayesSpace(const SearchSpace& space);

// The model's training data, over the searchable axes only. Exposed for tests.
struct BayesData {
  Eigen::MatrixXd x;        // one row per trial with a value: its point in [0, 1]^d
  Eigen::VectorXd y;        // that value turned to be minimised, as W&B minimises: -Score(v)
  Eigen::MatrixXd pending;  // running trials' points, imputed with the model's mean
};
BayesData CollectBayesData(const std::vector<Axis>& searchable, const StudyView& study);

class BayesSampler : public SequentialSampler {
 public:
  BayesSampler(SearchSpace space, BayesOptions options);

 protected:
  absl::StatusOr<std::optional<nlohmann::json>> AskOne(const StudyView& study,
                                                       uint64_t seed) override;

 private:
  absl::StatusOr<nlohmann::json> RandomParams(PortableRng& rng) const;
  absl::StatusOr<nlohmann::json> ModelParams(BayesData data, PortableRng& rng) const;
  Eigen::MatrixXd Candidates(PortableRng& rng) const;
  // Every parameter's value, the searchable ones from their [0, 1] coordinates.
  absl::StatusOr<nlohmann::json> ParamsAt(const Eigen::VectorXd& unit) const;

  SearchSpace space_;
  BayesOptions options_;
  std::vector<Axis> axes_;        // every parameter, in the space's order
  std::vector<Axis> searchable_;  // the axes with more than one value
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_BAYES_H_
