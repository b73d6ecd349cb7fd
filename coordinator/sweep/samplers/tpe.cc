#include "coordinator/sweep/samplers/tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/portable_random.h"
#include "coordinator/sweep/samplers/tpe_parzen.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxRedraws = 100;  // draws outside the setting's range before giving up

// Where an axis's Parzen estimator lives. Bounded axes: the internal coordinate; stepped
// (q or integer) axes widened by half a step like Optuna's stepped and integer distributions,
// log ones in log space (Optuna's IntDistribution(log=True)). Normal axes, which Optuna lacks:
// the unit interval through the normal CDF (ToUnit), where their prior is uniform.
struct Domain {
  double low = 0, high = 1;
  double step = 0;  // > 0: points stand for bins (non-log stepped axes)
};

Domain DomainOf(const Axis& axis) {
  if (axis.shape == AxisShape::kNormal) return {0, 1, 0};
  const double step = axis.q > 0 ? axis.q : (axis.integer ? 1.0 : 0.0);
  if (step == 0) return {axis.low, axis.high, 0};
  if (!axis.log) return {axis.low - step / 2, axis.high + step / 2, step};
  const double low_value = std::exp(axis.low) - step / 2;
  return {low_value > 0 ? std::log(low_value) : axis.low, std::log(std::exp(axis.high) + step / 2),
          0};
}

double ToParzen(const Axis& axis, const json& value) {
  return axis.shape == AxisShape::kNormal ? ToUnit(axis, value) : ToInternal(axis, value);
}

// Quantised, rounded and canonical (FromUnit / FromInternal); fails outside the setting.
absl::StatusOr<json> FromParzen(const Axis& axis, double x) {
  return axis.shape == AxisShape::kNormal ? FromUnit(axis, x) : FromInternal(axis, x);
}

absl::StatusOr<json> RandomValue(const Axis& axis, PortableRng& rng) {
  if (axis.shape == AxisShape::kCategorical) {
    if (axis.choices.size() == 1) return axis.choices[0];  // constants draw nothing
    std::vector<double> p = axis.probabilities;
    if (p.empty()) p.assign(axis.choices.size(), 1.0 / static_cast<double>(axis.choices.size()));
    return axis.choices[static_cast<size_t>(PickIndex(p, rng.Uniform01()))];
  }
  const Domain domain = DomainOf(axis);
  absl::Status last;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    absl::StatusOr<json> value = FromParzen(axis, rng.Uniform(domain.low, domain.high));
    if (value.ok()) return value;
    last = value.status();
  }
  return ErrorAt("parameters." + axis.name,
                 absl::StrCat(kMaxRedraws, " draws in a row fell outside the setting (",
                              last.message(), "); narrow the distribution"));
}

// Optuna's (step, loss) key: lower is better. Done trials: (-inf, loss); pruned trials:
// (-last epoch, loss at it), NaN as +inf, no epoch at all as (1, 0). loss = -Score(value).
std::optional<std::pair<double, double>> RankKey(const StudyView& study, const TrialView& trial) {
  if (trial.state == TrialState::kDone) {
    if (!trial.value || !std::isfinite(*trial.value)) return std::nullopt;
    return std::make_pair(-kInf, -study.objective.Score(*trial.value));
  }
  if (trial.state != TrialState::kPruned) return std::nullopt;
  int last = 0;
  for (const JobView& job : trial.jobs) last = std::max(last, job.LastEpoch());
  if (last == 0) return std::make_pair(1.0, 0.0);
  // k folds: the mean over the folds that reported a finite value at that epoch.
  double sum = 0;
  int count = 0;
  for (const JobView& job : trial.jobs) {
    if (const std::optional<double> v = job.At(last); v && std::isfinite(*v)) sum += *v, ++count;
  }
  return std::make_pair(-static_cast<double>(last),
                        count == 0 ? kInf : -study.objective.Score(sum / count));
}

// The group's observations on one axis, in trial order; trials without a usable value for it
// (a parameter added later, a choice since removed) are skipped, as Optuna skips missing params.
template <typename T, typename Convert>
std::vector<T> Observations(const Axis& axis, const std::vector<const TrialView*>& group,
                            Convert convert) {
  std::vector<T> out;
  for (const TrialView* trial : group) {
    const auto it = trial->params.find(axis.name);
    if (it == trial->params.end()) continue;
    if (std::optional<T> x = convert(*it)) out.push_back(*x);
  }
  return out;
}

struct Groups {
  std::vector<const TrialView*> below, above;
};

absl::StatusOr<json> SampleCategorical(const Axis& axis, const Groups& groups,
                                       const TpeOptions& options, const ParzenSettings& settings,
                                       PortableRng& rng) {
  if (axis.choices.size() == 1) return axis.choices[0];
  auto index = [&](const json& v) -> std::optional<int> {
    const int i = ChoiceIndex(axis, v);
    return i < 0 ? std::nullopt : std::optional<int>(i);
  };
  const int n = static_cast<int>(axis.choices.size());
  const CategoricalParzen l =
      FitCategorical(Observations<int>(axis, groups.below, index), n, settings);
  const CategoricalParzen g =
      FitCategorical(Observations<int>(axis, groups.above, index), n, settings);
  int best = -1;
  double best_score = -kInf;
  for (int i = 0; i < options.n_ei_candidates; ++i) {
    const int c = l.Sample(rng);
    const double score = l.LogPdf(c) - g.LogPdf(c);
    if (best < 0 || score > best_score) best = c, best_score = score;
  }
  return axis.choices[static_cast<size_t>(best)];
}

absl::StatusOr<json> SampleNumeric(const Axis& axis, const Groups& groups,
                                   const TpeOptions& options, const ParzenSettings& settings,
                                   PortableRng& rng) {
  const Domain d = DomainOf(axis);
  if (d.high <= d.low) return FromParzen(axis, d.low);  // nothing to choose (min == max)
  auto coordinate = [&](const json& v) -> std::optional<double> {
    if (!v.is_number() || !std::isfinite(v.get<double>())) return std::nullopt;
    return std::clamp(ToParzen(axis, v), d.low, d.high);
  };
  const NumericParzen l = FitNumeric(Observations<double>(axis, groups.below, coordinate), d.low,
                                     d.high, d.step, settings);
  const NumericParzen g = FitNumeric(Observations<double>(axis, groups.above, coordinate), d.low,
                                     d.high, d.step, settings);
  std::optional<json> best;
  double best_score = -kInf;
  for (int i = 0; i < options.n_ei_candidates; ++i) {
    absl::StatusOr<json> value = FromParzen(axis, l.Sample(rng));
    if (!value.ok()) continue;  // a normal axis's draw outside the setting: drop the candidate
    // Score the value actually proposed (snapped to its grid), as Optuna scores rounded samples.
    const double x = std::clamp(ToParzen(axis, *value), d.low, d.high);
    const double score = l.LogPdf(x) - g.LogPdf(x);
    if (!best || score > best_score) best = *std::move(value), best_score = score;
  }
  if (!best) return RandomValue(axis, rng);
  return *best;
}

absl::Status ReadOption(const json& options, const std::string& key, int* out, int64_t min) {
  if (!options.contains(key)) return absl::OkStatus();
  FS_ASSIGN_OR_RETURN(const int64_t value, ReadInt(options[key], "sampler." + key, min));
  if (value > 1000000) return ErrorAt("sampler." + key, "expected an integer <= 1000000");
  *out = static_cast<int>(value);
  return absl::OkStatus();
}

absl::Status ReadOption(const json& options, const std::string& key, bool* out) {
  if (!options.contains(key)) return absl::OkStatus();
  FS_ASSIGN_OR_RETURN(*out, ReadBool(options[key], "sampler." + key));
  return absl::OkStatus();
}

// A number in (0, max].
absl::Status ReadOption(const json& options, const std::string& key, double* out, double max) {
  if (!options.contains(key)) return absl::OkStatus();
  const absl::StatusOr<double> value = ReadNumber(options[key], "sampler." + key);
  if (!value.ok() || *value <= 0 || *value > max) {
    return ErrorAt("sampler." + key, absl::StrCat("expected a number > 0 and <= ", max, ", got ",
                                                  options[key].dump()));
  }
  *out = *value;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TpeOptions> ParseTpeOptions(const json& options) {
  TpeOptions out;
  if (options.is_null()) return out;
  FS_RETURN_IF_ERROR(RequireObject(options, "sampler"));
  FS_RETURN_IF_ERROR(CheckKeys(
      options, "sampler",
      {"n_startup_trials", "n_ei_candidates", "gamma_fraction", "gamma_max", "prior_weight",
       "consider_magic_clip", "consider_endpoints", "consider_prior", "weights_ramp"}));
  FS_RETURN_IF_ERROR(ReadOption(options, "n_startup_trials", &out.n_startup_trials, 0));
  FS_RETURN_IF_ERROR(ReadOption(options, "n_ei_candidates", &out.n_ei_candidates, 1));
  FS_RETURN_IF_ERROR(ReadOption(options, "gamma_fraction", &out.gamma_fraction, 1.0));
  FS_RETURN_IF_ERROR(ReadOption(options, "gamma_max", &out.gamma_max, 1));
  FS_RETURN_IF_ERROR(ReadOption(options, "prior_weight", &out.prior_weight, 1e9));
  FS_RETURN_IF_ERROR(ReadOption(options, "consider_magic_clip", &out.consider_magic_clip));
  FS_RETURN_IF_ERROR(ReadOption(options, "consider_endpoints", &out.consider_endpoints));
  FS_RETURN_IF_ERROR(ReadOption(options, "consider_prior", &out.consider_prior));
  FS_RETURN_IF_ERROR(ReadOption(options, "weights_ramp", &out.weights_ramp));
  return out;
}

std::vector<const TrialView*> RankTrials(const StudyView& study) {
  std::vector<std::pair<std::pair<double, double>, const TrialView*>> keyed;
  for (const TrialView& trial : study.trials) {
    if (const auto key = RankKey(study, trial)) keyed.emplace_back(*key, &trial);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const TrialView*> ranked;
  for (const auto& entry : keyed) ranked.push_back(entry.second);
  return ranked;
}

int TpeGamma(int n, const TpeOptions& options) {
  return std::min(static_cast<int>(std::ceil(options.gamma_fraction * n)), options.gamma_max);
}

TpeSampler::TpeSampler(SearchSpace space, TpeOptions options)
    : axes_(MakeAxes(space)), options_(options) {}

absl::StatusOr<json> TpeSampler::RandomParams(uint64_t trial_seed) const {
  PortableRng rng(trial_seed);
  json params = json::object();
  for (const Axis& axis : axes_) {
    FS_ASSIGN_OR_RETURN(params[axis.name], RandomValue(axis, rng));
  }
  return params;
}

absl::StatusOr<std::optional<json>> TpeSampler::AskOne(const StudyView& study, uint64_t seed) {
  const uint64_t trial_seed = TrialSeed(seed, static_cast<int64_t>(study.trials.size()));
  // Optuna counts complete and pruned trials (n_startup_trials and gamma alike).
  const std::vector<const TrialView*> ranked = RankTrials(study);
  const int n = static_cast<int>(ranked.size());
  if (n < options_.n_startup_trials) return RandomParams(trial_seed);
  const auto cut = ranked.begin() + TpeGamma(n, options_);
  Groups groups{{ranked.begin(), cut}, {cut, ranked.end()}};
  // Trial order, so that the weights' ramp discounts the oldest trials.
  for (auto* group : {&groups.below, &groups.above}) {
    std::sort(group->begin(), group->end(),
              [](const TrialView* a, const TrialView* b) { return a->index < b->index; });
  }
  const ParzenSettings settings{options_.consider_prior, options_.prior_weight,
                                options_.consider_magic_clip, options_.consider_endpoints,
                                options_.weights_ramp};
  PortableRng rng(trial_seed);
  json params = json::object();
  for (const Axis& axis : axes_) {
    FS_ASSIGN_OR_RETURN(params[axis.name],
                        axis.shape == AxisShape::kCategorical
                            ? SampleCategorical(axis, groups, options_, settings, rng)
                            : SampleNumeric(axis, groups, options_, settings, rng));
  }
  return std::optional<json>(std::move(params));
}

}  // namespace foldstack::sweep
