#include "coordinator/sweep/param_sampling.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "coordinator/sweep/json_fields.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

// A grid of more values than this per parameter is surely a mistake.
constexpr int64_t kMaxGridValuesPerParameter = 100000;

double Quantize(double x, double q) { return std::nearbyint(x / q) * q; }

size_t ChooseIndex(const ParamSpec& spec, PortableRng& rng) {
  const double u = rng.Uniform01();
  if (spec.probabilities.empty()) {
    // floor(u * n) < n because u < 1.
    return static_cast<size_t>(u * static_cast<double>(spec.values.size()));
  }
  double cumulative = 0;
  for (size_t i = 0; i < spec.probabilities.size(); ++i) {
    cumulative += spec.probabilities[i];
    if (u < cumulative) return i;
  }
  return spec.values.size() - 1;  // rounding left the cumulative sum a hair under 1
}

double DrawReal(const ParamSpec& spec, PortableRng& rng) {
  switch (spec.distribution) {
    case Distribution::kIntUniform:
      return static_cast<double>(rng.UniformInt(std::llround(spec.min), std::llround(spec.max)));
    case Distribution::kUniform:
      return rng.Uniform(spec.min, spec.max);
    case Distribution::kQUniform:
      return Quantize(rng.Uniform(spec.min, spec.max), spec.q);
    case Distribution::kLogUniform:
      return std::exp(rng.Uniform(spec.min, spec.max));
    case Distribution::kLogUniformValues:
      return std::exp(rng.Uniform(std::log(spec.min), std::log(spec.max)));
    case Distribution::kQLogUniform:
      return Quantize(std::exp(rng.Uniform(spec.min, spec.max)), spec.q);
    case Distribution::kQLogUniformValues:
      return Quantize(std::exp(rng.Uniform(std::log(spec.min), std::log(spec.max))), spec.q);
    case Distribution::kInvLogUniform:
      return std::exp(-rng.Uniform(spec.min, spec.max));
    case Distribution::kInvLogUniformValues:
      return std::exp(-rng.Uniform(-std::log(spec.max), -std::log(spec.min)));
    case Distribution::kNormal:
      return spec.mu + spec.sigma * rng.StandardNormal();
    case Distribution::kQNormal:
      return Quantize(spec.mu + spec.sigma * rng.StandardNormal(), spec.q);
    case Distribution::kLogNormal:
      return std::exp(spec.mu + spec.sigma * rng.StandardNormal());
    case Distribution::kQLogNormal:
      return Quantize(std::exp(spec.mu + spec.sigma * rng.StandardNormal()), spec.q);
  }
  return spec.min;
}

}  // namespace

json DrawValue(const ParamSpec& spec, PortableRng& rng) {
  switch (spec.kind) {
    case ParamKind::kConstant:
      return spec.value;
    case ParamKind::kCategorical:
      return spec.values[ChooseIndex(spec, rng)];
    case ParamKind::kDistribution:
      break;
  }
  const double x = DrawReal(spec, rng);
  if (spec.integer_valued || spec.distribution == Distribution::kIntUniform) {
    return json(static_cast<int64_t>(std::llround(x)));
  }
  return json(x);
}

absl::StatusOr<std::vector<json>> GridValues(const ParamSpec& spec) {
  const std::string path = "parameters." + spec.name;
  if (spec.kind == ParamKind::kConstant) return std::vector<json>{spec.value};
  if (spec.kind == ParamKind::kCategorical) {
    if (!spec.probabilities.empty()) {
      return ErrorAt(path + ".probabilities", "grid sweeps try every value; probabilities "
                                              "only apply to method: random");
    }
    return spec.values;
  }
  const bool int_uniform = spec.distribution == Distribution::kIntUniform;
  if (!int_uniform && spec.distribution != Distribution::kQUniform) {
    return ErrorAt(path, absl::StrCat("grid sweeps need values lists; ",
                                      DistributionName(spec.distribution),
                                      " cannot be enumerated (a grid takes value, values, "
                                      "int_uniform or q_uniform)"));
  }
  const double step = int_uniform ? 1 : spec.q;
  const double last = int_uniform ? spec.max + 0.5 : spec.max;  // int_uniform includes max
  const double count = std::ceil((last - spec.min) / step);
  if (count > kMaxGridValuesPerParameter) {
    return ErrorAt(path, absl::StrCat("grid would try ", count, " values (more than ",
                                      kMaxGridValuesPerParameter, ")"));
  }
  std::vector<json> values;
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    const double x = spec.min + static_cast<double>(i) * step;  // numpy.arange's formula
    if (spec.integer_valued || int_uniform) {
      values.push_back(json(static_cast<int64_t>(std::llround(x))));
    } else {
      values.push_back(json(x));
    }
  }
  return values;
}

}  // namespace foldstack::sweep
