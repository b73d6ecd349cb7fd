#ifndef FOLDSTACK_COORDINATOR_SWEEP_PARAM_SPEC_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PARAM_SPEC_H_

// One entry of a sweep file's `parameters:` block, in W&B's syntax:
//   {value: X} | {values: [...], probabilities?: [...]} |
//   {distribution: NAME, min, max, q, mu, sigma} | {min, max} (inferred)
// Names and meanings follow W&B sweeps
// (https://docs.wandb.ai/models/sweeps/sweep-config-keys, and the reference
// implementation github.com/wandb/sweeps src/sweeps/params.py,
// config/schema.json): log_uniform / q_log_uniform / inv_log_uniform take
// natural-log exponents as min/max, the *_values variants take the values
// themselves; q defaults to 1, mu to 0, sigma to 1; min must be < max;
// probabilities must match values in length and sum to 1.
//
// Where foldstack differs from W&B:
//  - every parameter must name a trainer setting (common/trainer_settings.h)
//    and its values must be valid for it; an integer setting takes only
//    int_uniform, values/value, or a q_* distribution with a whole-number q;
//  - {min, max} without a distribution is int_uniform for an integer
//    setting and uniform for a float one (W&B looks at whether min and max
//    are written as integers, so `lr: {min: 0, max: 1}` would draw 0 or 1);
//  - beta, q_beta and nested `parameters:` are not supported.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

enum class ParamKind { kConstant, kCategorical, kDistribution };

enum class Distribution {
  kIntUniform,           // integer in [min, max], both ends
  kUniform,              // real in [min, max]
  kQUniform,             // round(uniform(min, max) / q) * q
  kLogUniform,           // exp(uniform(min, max))
  kLogUniformValues,     // exp(uniform(log min, log max))
  kQLogUniform,          // round(exp(uniform(min, max)) / q) * q
  kQLogUniformValues,    // round(exp(uniform(log min, log max)) / q) * q
  kInvLogUniform,        // exp(-uniform(min, max))
  kInvLogUniformValues,  // exp(-uniform(-log max, -log min)), in [min, max]
  kNormal,               // normal(mu, sigma)
  kQNormal,              // round(normal(mu, sigma) / q) * q
  kLogNormal,            // exp(normal(mu, sigma))
  kQLogNormal,           // round(exp(normal(mu, sigma)) / q) * q
};

std::string DistributionName(Distribution distribution);

struct ParamSpec {
  std::string name;  // the trainer setting
  ParamKind kind = ParamKind::kConstant;
  nlohmann::json value;                // kConstant, canonical (see CanonicalSetting)
  std::vector<nlohmann::json> values;  // kCategorical, canonical, in file order
  std::vector<double> probabilities;   // kCategorical; empty = equally likely
  Distribution distribution = Distribution::kUniform;  // kDistribution
  double min = 0, max = 0;      // bounded distributions
  double q = 1;                 // q_* distributions
  double mu = 0, sigma = 1;     // normal family
  bool integer_valued = false;  // the setting is an integer: draws are emitted as integers
  bool program_parameter = false;  // a sweep program's own parameter: any name, values as written
};

// Parses `config`, the value under parameters.NAME. Errors start with
// "parameters.NAME", e.g.
//   parameters.optimizer.values[1]: expected one of sgd, adam; got "sgdd"
//   parameters.lr: expected one of value, values, distribution/min/max
// With program_parameter (a sweep with `program:`), any name is accepted and values are passed as
// written; ranges of integers are int_uniform, as W&B infers them.
absl::StatusOr<ParamSpec> ParseParamSpec(const std::string& name, const nlohmann::json& config,
                                         bool program_parameter = false);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PARAM_SPEC_H_
