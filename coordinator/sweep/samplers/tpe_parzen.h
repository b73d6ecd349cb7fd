// The univariate Parzen estimators of Optuna 3.1's TPESampler
// (optuna/samplers/_tpe/parzen_estimator.py and _truncnorm.py), written afresh: a mixture with
// one component per observation plus an optional prior component, fitted on one axis.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_PARZEN_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_PARZEN_H_

#include <vector>

#include "coordinator/sweep/portable_random.h"

namespace foldstack::sweep {

struct ParzenSettings {
  bool consider_prior = true;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool weights_ramp = true;
};

// Optuna's default_weights: n ones below 25 observations; beyond, the oldest n - 25 ramp
// linearly from 1/n up to 1 (numpy.linspace) so that old trials count less. !ramp: all ones.
std::vector<double> ObservationWeights(int n, bool ramp);

// The index whose cumulative weight first exceeds u in [0, 1) (the last one if rounding leaves
// the total a hair under 1).
int PickIndex(const std::vector<double>& weights, double u);

// log Phi(a), accurate far into both tails.
double LogNdtr(double a);
// log(Phi(b) - Phi(a)) for a <= b, without cancellation in the tails.
double LogGaussMass(double a, double b);
// The q-quantile of the standard normal truncated to [a, b].
double TruncNormPpf(double q, double a, double b);

// A mixture of normals truncated to [low, high]. step > 0: a point stands for the bin of width
// `step` around it, as Optuna treats stepped and integer distributions.
struct NumericParzen {
  double low = 0, high = 1, step = 0;
  std::vector<double> weights, mus, sigmas;  // weights sum to 1; the prior, when used, is last

  double Sample(PortableRng& rng) const;  // one Uniform01 for the component, one for the value
  double LogPdf(double x) const;
};

// Optuna's _calculate_numerical_params (univariate): each observation's sigma is the larger gap
// to its sorted neighbours (bounds included), clipped to [range / min(100, 1 + components),
// range] (the "magic clip"); the prior is N((low + high) / 2, high - low).
NumericParzen FitNumeric(const std::vector<double>& observations, double low, double high,
                         double step, const ParzenSettings& settings);

// One row of category probabilities per component: prior_weight spread evenly over the
// categories plus 1 on the observed one, normalised; the prior row is uniform.
struct CategoricalParzen {
  std::vector<double> weights;
  std::vector<std::vector<double>> rows;

  int Sample(PortableRng& rng) const;  // one Uniform01 for the component, one for the category
  double LogPdf(int category) const;
};

CategoricalParzen FitCategorical(const std::vector<int>& observations, int n_choices,
                                 const ParzenSettings& settings);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_TPE_PARZEN_H_
