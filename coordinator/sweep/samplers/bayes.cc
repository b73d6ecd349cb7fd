#include "coordinator/sweep/samplers/bayes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/param_sampling.h"
#include "coordinator/sweep/samplers/gaussian_process.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

constexpr double kNugget = 1e-7;      // W&B's GAUSSIAN_PROCESS_NUGGET (sklearn alpha)
constexpr double kStdEpsilon = 1e-6;  // W&B's STD_NUMERICAL_STABILITY_EPSILON
constexpr int kMaxCandidates = 100000;
constexpr int kMaxRedraws = 1000;  // normal draws outside a setting's range are redrawn

bool Searchable(const Axis& axis) {
  return axis.shape != AxisShape::kCategorical || axis.choices.size() > 1;
}

// Axes whose values are a discrete set: a candidate is scored where it will really land.
bool Discrete(const Axis& axis) {
  return axis.shape == AxisShape::kCategorical || axis.integer || axis.q > 0;
}

// The trial's point in [0, 1]^d, or nullopt when a parameter is missing or not of the axis's
// kind (a trial from an edited sweep); W&B would place it at 0 instead.
std::optional<Eigen::VectorXd> UnitPoint(const std::vector<Axis>& axes, const json& params) {
  Eigen::VectorXd point(static_cast<Eigen::Index>(axes.size()));
  for (size_t i = 0; i < axes.size(); ++i) {
    const auto it = params.find(axes[i].name);
    if (it == params.end()) return std::nullopt;
    const bool known =
        axes[i].shape == AxisShape::kCategorical ? ChoiceIndex(axes[i], *it) >= 0 : it->is_number();
    if (!known) return std::nullopt;
    point(static_cast<Eigen::Index>(i)) = ToUnit(axes[i], *it);
  }
  return point;
}

// W&B's failed-run value: the worst objective any epoch of any finished, pruned or failed trial
// reported (the curves, not just the best epochs), so the model stays away from failures.
std::optional<double> WorstValue(const StudyView& study) {
  std::optional<double> worst;
  auto see = [&](const std::optional<double>& v) {
    if (v && std::isfinite(*v) && (!worst || study.objective.Better(*worst, *v))) worst = *v;
  };
  for (const TrialView& trial : study.trials) {
    if (trial.state == TrialState::kRunning || trial.state == TrialState::kCancelled) continue;
    for (const JobView& job : trial.jobs) {
      for (const std::optional<double>& v : job.curve) see(v);
      see(job.value);
    }
  }
  return worst;
}

// A pruned trial counts as finished with what it reached, like W&B's early-terminated runs: the
// mean over folds with a value (done folds' best epochs, pruned folds' best values).
std::optional<double> PrunedValue(const TrialView& trial) {
  double sum = 0;
  int n = 0;
  for (const JobView& job : trial.jobs) {
    if (job.value) sum += *job.value, ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

Eigen::MatrixXd Stack(const std::vector<Eigen::VectorXd>& rows, Eigen::Index d) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), d);
  for (size_t i = 0; i < rows.size(); ++i) m.row(static_cast<Eigen::Index>(i)) = rows[i];
  return m;
}

// W&B's normalisation: (y - mean) / (std + 1e-6); a single value is only shifted.
struct Normalizer {
  double mean = 0, scale = 1;
  explicit Normalizer(const Eigen::VectorXd& y) {
    mean = y.mean();
    if (y.size() > 1) scale = std::sqrt((y.array() - mean).square().mean()) + kStdEpsilon;
  }
  Eigen::VectorXd To(const Eigen::VectorXd& y) const { return (y.array() - mean) / scale; }
};

GaussianProcess FitGp(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, double nu) {
  GaussianProcess gp(x, Normalizer(y).To(y), nu, kNugget);
  gp.FitLengthScale();
  return gp;
}

// Expected improvement below `target` for a minimised, normalised objective (W&B's formula).
Eigen::VectorXd ExpectedImprovement(const Eigen::VectorXd& mean, const Eigen::VectorXd& std,
                                    double target) {
  Eigen::VectorXd ei(mean.size());
  for (Eigen::Index i = 0; i < mean.size(); ++i) {
    const double gain = target - mean(i);
    const double z = gain / (std(i) + kStdEpsilon);
    const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    ei(i) = gain * NormalCdf(z) + std(i) * pdf;
  }
  return ei;
}

absl::StatusOr<json> DrawForSetting(const ParamSpec& spec, PortableRng& rng) {
  absl::StatusOr<json> value;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    json draw = DrawValue(spec, rng);
    if (common::FindSetting(spec.name) == nullptr) return draw;
    value = common::CanonicalSetting(spec.name, draw);
    if (value.ok()) return value;
  }
  return ErrorAt("parameters." + spec.name, "no valid draw in " + std::to_string(kMaxRedraws) +
                                                " tries (" + std::string(value.status().message()) +
                                                ")");
}

}  // namespace

absl::StatusOr<BayesOptions> ParseBayesOptions(const json& config) {
  BayesOptions options;
  if (config.is_null()) return options;
  FS_RETURN_IF_ERROR(RequireObject(config, "sampler"));
  FS_RETURN_IF_ERROR(
      CheckKeys(config, "sampler", {"n_candidates", "min_finished", "max_samples", "nu", "xi"}));
  auto read_int = [&](const std::string& key, int64_t min, int* out) -> absl::Status {
    if (!config.contains(key)) return absl::OkStatus();
    FS_ASSIGN_OR_RETURN(const int64_t v, ReadInt(config[key], "sampler." + key, min));
    if (v > kMaxCandidates) {
      return ErrorAt("sampler." + key, absl::StrCat("expected an integer <= ", kMaxCandidates));
    }
    *out = static_cast<int>(v);
    return absl::OkStatus();
  };
  FS_RETURN_IF_ERROR(read_int("n_candidates", 1, &options.n_candidates));
  FS_RETURN_IF_ERROR(read_int("min_finished", 2, &options.min_finished));
  FS_RETURN_IF_ERROR(read_int("max_samples", 2, &options.max_samples));
  if (config.contains("nu")) {
    FS_ASSIGN_OR_RETURN(options.nu, ReadNumber(config["nu"], "sampler.nu"));
    if (options.nu != 0.5 && options.nu != 1.5 && options.nu != 2.5) {
      return ErrorAt("sampler.nu", absl::StrCat("expected 0.5, 1.5 or 2.5, got ", options.nu));
    }
  }
  if (config.contains("xi")) {
    FS_ASSIGN_OR_RETURN(options.xi, ReadNumber(config["xi"], "sampler.xi"));
    if (options.xi < 0)
      return ErrorAt("sampler.xi", absl::StrCat("expected a number >= 0, got ", options.xi));
  }
  return options;
}

absl::Status CheckBayesSpace(const SearchSpace& space) {
  bool searchable = false;
  for (const auto& [name, spec] : space) {
    if (spec.kind == ParamKind::kCategorical && !spec.probabilities.empty()) {
      return ErrorAt("parameters." + name,
                     "bayes cannot model values with probabilities; drop the probabilities or "
                     "use method random");
    }
    searchable = searchable || spec.kind == ParamKind::kDistribution ||
                 (spec.kind == ParamKind::kCategorical && spec.values.size() > 1);
  }
  if (searchable) return absl::OkStatus();
  return ErrorAt("parameters",
                 "bayes needs a parameter with a distribution or two or more "
                 "values; every parameter is a constant");
}

BayesData CollectBayesData(const std::vector<Axis>& searchable, const StudyView& study) {
  const std::optional<double> worst = WorstValue(study);
  std::vector<Eigen::VectorXd> x, pending;
  std::vector<double> y;
  for (const TrialView& trial : study.trials) {
    // Cancelled trials say nothing about their parameters (W&B counts killed runs as failed).
    if (trial.state == TrialState::kCancelled) continue;
    std::optional<Eigen::VectorXd> point = UnitPoint(searchable, trial.params);
    if (!point) continue;
    if (trial.state == TrialState::kRunning) {
      pending.push_back(*std::move(point));
      continue;
    }
    std::optional<double> value = trial.state == TrialState::kDone     ? trial.value
                                  : trial.state == TrialState::kPruned ? PrunedValue(trial)
                                                                       : std::nullopt;
    if (!value || !std::isfinite(*value)) value = worst;
    if (!value) continue;  // nothing finite seen yet: no worst value to give a failure
    x.push_back(*std::move(point));
    y.push_back(-study.objective.Score(*value));
  }
  const auto d = static_cast<Eigen::Index>(searchable.size());
  BayesData data{Stack(x, d),
                 Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())),
                 Stack(pending, d)};
  return data;
}

BayesSampler::BayesSampler(SearchSpace space, BayesOptions options)
    : space_(std::move(space)), options_(options), axes_(MakeAxes(space_)) {
  for (const Axis& axis : axes_) {
    if (Searchable(axis)) searchable_.push_back(axis);
  }
}

absl::StatusOr<std::optional<json>> BayesSampler::AskOne(const StudyView& study, uint64_t seed) {
  FS_RETURN_IF_ERROR(CheckBayesSpace(space_));
  PortableRng rng(TrialSeed(seed, static_cast<int64_t>(study.trials.size())));
  BayesData data = CollectBayesData(searchable_, study);
  absl::StatusOr<json> params =
      data.y.size() < options_.min_finished ? RandomParams(rng) : ModelParams(std::move(data), rng);
  if (!params.ok()) return params.status();
  return std::optional<json>(*std::move(params));
}

// The random phase draws each parameter from its own distribution, in name order, like the
// random sampler (W&B draws uniformly in [0, 1] and maps back, the same distribution).
absl::StatusOr<json> BayesSampler::RandomParams(PortableRng& rng) const {
  json params = json::object();
  for (const auto& [name, spec] : space_) {
    FS_ASSIGN_OR_RETURN(params[name], DrawForSetting(spec, rng));
  }
  return params;
}

Eigen::MatrixXd BayesSampler::Candidates(PortableRng& rng) const {
  Eigen::MatrixXd c(options_.n_candidates, static_cast<Eigen::Index>(searchable_.size()));
  for (Eigen::Index i = 0; i < c.rows(); ++i) {
    for (Eigen::Index j = 0; j < c.cols(); ++j) {
      const Axis& axis = searchable_[static_cast<size_t>(j)];
      c(i, j) = rng.Uniform01();
      if (!Discrete(axis)) continue;
      // W&B scores the raw point and rounds afterwards; scoring the rounded point keeps EI
      // honest on integer, q and categorical axes.
      absl::StatusOr<json> value = FromUnit(axis, c(i, j));
      if (value.ok()) c(i, j) = ToUnit(axis, *value);
    }
  }
  return c;
}

absl::StatusOr<json> BayesSampler::ModelParams(BayesData data, PortableRng& rng) const {
  const double best = data.y.minCoeff();  // over every observed trial, as W&B
  Eigen::Index n = data.y.size();
  if (n > options_.max_samples) {  // W&B fits a random subset (with replacement; here without)
    for (Eigen::Index i = 0; i < options_.max_samples; ++i) {
      const auto j = static_cast<Eigen::Index>(rng.UniformInt(i, n - 1));
      data.x.row(i).swap(data.x.row(j));
      std::swap(data.y(i), data.y(j));
    }
    n = options_.max_samples;
  }
  Eigen::MatrixXd x = data.x.topRows(n);
  Eigen::VectorXd y = data.y.head(n);
  // Running trials are fantasised at the model's mean and the model refitted (W&B keeps at
  // most max_samples - 5 of them).
  const Eigen::Index p =
      std::min<Eigen::Index>(data.pending.rows(), std::max(options_.max_samples - 5, 0));
  if (p > 0) {
    const Normalizer norm(y);
    Eigen::VectorXd mean, std;
    FitGp(x, y, options_.nu).Predict(data.pending.topRows(p), &mean, &std);
    x.conservativeResize(n + p, Eigen::NoChange);
    x.bottomRows(p) = data.pending.topRows(p);
    y.conservativeResize(n + p);
    y.tail(p) = mean.array() * norm.scale + norm.mean;
  }
  const Normalizer norm(y);
  const GaussianProcess gp = FitGp(x, y, options_.nu);
  const Eigen::MatrixXd candidates = Candidates(rng);
  Eigen::VectorXd mean, std;
  gp.Predict(candidates, &mean, &std);
  Eigen::VectorXd ei =
      ExpectedImprovement(mean, std, (best - norm.mean) / norm.scale - options_.xi);
  if (gp.AtBound()) {  // a degenerate fit: W&B takes a random candidate
    const auto pick = static_cast<Eigen::Index>(rng.UniformInt(0, candidates.rows() - 1));
    ei.setConstant(0.0);
    ei(pick) = 1.0;
  }
  absl::Status last;
  for (Eigen::Index tries = 0; tries < candidates.rows(); ++tries) {
    Eigen::Index i = 0;
    ei.maxCoeff(&i);  // the first maximum, like numpy.argmax
    absl::StatusOr<json> params = ParamsAt(candidates.row(i).transpose());
    if (params.ok()) return params;
    last = params.status();  // a normal axis's value outside its setting: next best
    ei(i) = -std::numeric_limits<double>::infinity();
  }
  return last;
}

absl::StatusOr<json> BayesSampler::ParamsAt(const Eigen::VectorXd& unit) const {
  json params = json::object();
  Eigen::Index k = 0;
  for (const Axis& axis : axes_) {
    if (!Searchable(axis)) {
      params[axis.name] = axis.choices.front();
      continue;
    }
    FS_ASSIGN_OR_RETURN(params[axis.name], FromUnit(axis, unit(k++)));
  }
  return params;
}

}  // namespace foldstack::sweep
