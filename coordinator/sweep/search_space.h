// The sweep's parameters as axes a model-based sampler can work on. Every W&B distribution is one
// of three shapes:
//   categorical  values / value (a constant is a categorical with one choice);
//   bounded      int_uniform, uniform, q_uniform, and the log families (log_uniform[_values],
//                q_log_uniform[_values], inv_log_uniform[_values]: all log-uniform in the value);
//   normal       normal, q_normal, log_normal, q_log_normal (unbounded).
// A bounded axis has an internal coordinate x in [low, high]: the value itself, or its natural
// log when `log`. A normal axis's internal coordinate is the underlying normal variable
// (value = x, or exp(x) when `log`), with mean mu and deviation sigma. Values come back from an
// internal coordinate through FromInternal, which applies exp, the quantisation q (in the value's
// own units, round half to even like W&B), integer rounding and the setting's canonical form.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SEARCH_SPACE_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SEARCH_SPACE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/param_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

using SearchSpace = std::map<std::string, ParamSpec>;

enum class AxisShape { kCategorical, kBounded, kNormal };

struct Axis {
  std::string name;
  AxisShape shape = AxisShape::kBounded;
  std::vector<nlohmann::json> choices;  // kCategorical: the values, in file order
  std::vector<double> probabilities;    // kCategorical: prior weights; empty = equal
  double low = 0, high = 1;             // kBounded: the internal range
  double mu = 0, sigma = 1;             // kNormal
  bool log = false;                     // internal coordinate is log(value)
  double q = 0;                         // quantisation step of the value; 0 = none
  bool integer = false;                 // values are integers
};

// One axis per parameter, in the space's (name) order.
std::vector<Axis> MakeAxes(const SearchSpace& space);

// The internal coordinate of a value of this (non-categorical) axis: the number, or its log.
double ToInternal(const Axis& axis, const nlohmann::json& value);
// The value at internal coordinate x (bounded axes clamp x to [low, high] first), quantised,
// rounded for integers and canonicalised for the setting (names that are no trainer setting,
// as in benchmarks' test functions, are returned as plain numbers). An error only when the value is not
// valid for the setting (possible on normal axes, whose draws are unbounded).
absl::StatusOr<nlohmann::json> FromInternal(const Axis& axis, double x);
// The index of `value` among a categorical axis's choices, or -1.
int ChoiceIndex(const Axis& axis, const nlohmann::json& value);

// The standard normal CDF and its inverse (p in (0, 1)).
double NormalCdf(double z);
double NormalQuantile(double p);

// [0, 1] coordinates, W&B's bayes search style: bounded axes linearly over [low, high]; normal
// axes through the normal CDF of (x - mu) / sigma; categorical axes index / (n - 1) (0 for one
// choice). FromUnit inverts ToUnit (clamping u to [0, 1]; categorical: the nearest index).
double ToUnit(const Axis& axis, const nlohmann::json& value);
absl::StatusOr<nlohmann::json> FromUnit(const Axis& axis, double u);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SEARCH_SPACE_H_
