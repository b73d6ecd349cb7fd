#include "coordinator/sweep/search_space.h"

#include <algorithm>
#include <cmath>

#include "common/trainer_settings.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

Axis BoundedAxis(const ParamSpec& spec) {
  Axis axis;
  axis.shape = AxisShape::kBounded;
  switch (spec.distribution) {
    case Distribution::kIntUniform:
      axis.low = spec.min, axis.high = spec.max, axis.integer = true, axis.q = 1;
      break;
    case Distribution::kUniform:
      axis.low = spec.min, axis.high = spec.max;
      break;
    case Distribution::kQUniform:
      axis.low = spec.min, axis.high = spec.max, axis.q = spec.q;
      break;
    case Distribution::kLogUniform:  // min/max are exponents
    case Distribution::kQLogUniform:
      axis.low = spec.min, axis.high = spec.max, axis.log = true;
      break;
    case Distribution::kLogUniformValues:
    case Distribution::kQLogUniformValues:
    case Distribution::kInvLogUniformValues:  // exp(-U(-log max, -log min)) is log-uniform on [min, max]
      axis.low = std::log(spec.min), axis.high = std::log(spec.max), axis.log = true;
      break;
    case Distribution::kInvLogUniform:  // exp(-U(min, max)) is log-uniform on [e^-max, e^-min]
      axis.low = -spec.max, axis.high = -spec.min, axis.log = true;
      break;
    default:
      break;
  }
  if (spec.distribution == Distribution::kQLogUniform ||
      spec.distribution == Distribution::kQLogUniformValues) {
    axis.q = spec.q;
  }
  return axis;
}

Axis NormalAxis(const ParamSpec& spec) {
  Axis axis;
  axis.shape = AxisShape::kNormal;
  axis.mu = spec.mu;
  axis.sigma = spec.sigma;
  axis.log = spec.distribution == Distribution::kLogNormal ||
             spec.distribution == Distribution::kQLogNormal;
  if (spec.distribution == Distribution::kQNormal || spec.distribution == Distribution::kQLogNormal) {
    axis.q = spec.q;
  }
  return axis;
}

bool IsNormal(Distribution d) {
  return d == Distribution::kNormal || d == Distribution::kQNormal || d == Distribution::kLogNormal ||
         d == Distribution::kQLogNormal;
}

}  // namespace

std::vector<Axis> MakeAxes(const SearchSpace& space) {
  std::vector<Axis> axes;
  for (const auto& [name, spec] : space) {
    Axis axis;
    if (spec.kind == ParamKind::kConstant) {
      axis.shape = AxisShape::kCategorical;
      axis.choices = {spec.value};
    } else if (spec.kind == ParamKind::kCategorical) {
      axis.shape = AxisShape::kCategorical;
      axis.choices = spec.values;
      axis.probabilities = spec.probabilities;
    } else if (IsNormal(spec.distribution)) {
      axis = NormalAxis(spec);
    } else {
      axis = BoundedAxis(spec);
    }
    axis.name = name;
    axis.integer = axis.integer || spec.integer_valued;
    axes.push_back(std::move(axis));
  }
  return axes;
}

double ToInternal(const Axis& axis, const json& value) {
  const double v = value.get<double>();
  return axis.log ? std::log(std::max(v, 1e-300)) : v;
}

absl::StatusOr<json> FromInternal(const Axis& axis, double x) {
  if (axis.shape == AxisShape::kBounded) x = std::clamp(x, axis.low, axis.high);
  double v = axis.log ? std::exp(x) : x;
  if (axis.q > 0) v = std::nearbyint(v / axis.q) * axis.q;
  json value = axis.integer ? json(static_cast<int64_t>(std::llround(v))) : json(v);
  // Spaces over names that are no trainer setting (test functions in benchmarks) stay raw.
  if (common::FindSetting(axis.name) == nullptr) return value;
  return common::CanonicalSetting(axis.name, value);
}

int ChoiceIndex(const Axis& axis, const json& value) {
  for (size_t i = 0; i < axis.choices.size(); ++i) {
    if (axis.choices[i] == value) return static_cast<int>(i);
  }
  return -1;
}

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Wichura's AS241 (PPND16), accurate to about 1e-16.
double NormalQuantile(double p) {
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                    45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
                 133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
  }
  double r = q < 0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    value = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -value : value;
}

double ToUnit(const Axis& axis, const json& value) {
  switch (axis.shape) {
    case AxisShape::kCategorical: {
      const int n = static_cast<int>(axis.choices.size());
      const int i = std::max(0, ChoiceIndex(axis, value));
      return n <= 1 ? 0.0 : static_cast<double>(i) / (n - 1);
    }
    case AxisShape::kBounded:
      if (axis.high <= axis.low) return 0.0;
      return std::clamp((ToInternal(axis, value) - axis.low) / (axis.high - axis.low), 0.0, 1.0);
    case AxisShape::kNormal:
      return NormalCdf((ToInternal(axis, value) - axis.mu) / axis.sigma);
  }
  return 0.0;
}

absl::StatusOr<json> FromUnit(const Axis& axis, double u) {
  u = std::clamp(u, 0.0, 1.0);
  switch (axis.shape) {
    case AxisShape::kCategorical: {
      const int n = static_cast<int>(axis.choices.size());
      const int i = n <= 1 ? 0 : static_cast<int>(std::lround(u * (n - 1)));
      return axis.choices[static_cast<size_t>(std::clamp(i, 0, n - 1))];
    }
    case AxisShape::kBounded:
      return FromInternal(axis, axis.low + u * (axis.high - axis.low));
    case AxisShape::kNormal: {
      const double p = std::clamp(u, 1e-12, 1.0 - 1e-12);
      return FromInternal(axis, axis.mu + axis.sigma * NormalQuantile(p));
    }
  }
  return json();
}

}  // namespace foldstack::sweep
