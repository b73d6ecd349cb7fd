#include "coordinator/sweep/param_spec.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/closest_name.h"
#include "common/json_numbers.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"

namespace foldstack::sweep {
namespace {

using common::SettingType;
using common::TrainerSetting;
using nlohmann::json;

// Which keys each distribution takes, and how its min/max are read.
struct DistributionInfo {
  Distribution id;
  const char* name;
  bool bounded;          // takes min and max (required)
  bool quantized;        // takes q
  bool normal_family;    // takes mu and sigma
  bool positive_bounds;  // min/max are values whose logarithm is taken
};

constexpr DistributionInfo kDistributions[] = {
    {Distribution::kIntUniform, "int_uniform", true, false, false, false},
    {Distribution::kUniform, "uniform", true, false, false, false},
    {Distribution::kQUniform, "q_uniform", true, true, false, false},
    {Distribution::kLogUniform, "log_uniform", true, false, false, false},
    {Distribution::kLogUniformValues, "log_uniform_values", true, false, false, true},
    {Distribution::kQLogUniform, "q_log_uniform", true, true, false, false},
    {Distribution::kQLogUniformValues, "q_log_uniform_values", true, true, false, true},
    {Distribution::kInvLogUniform, "inv_log_uniform", true, false, false, false},
    {Distribution::kInvLogUniformValues, "inv_log_uniform_values", true, false, false, true},
    {Distribution::kNormal, "normal", false, false, true, false},
    {Distribution::kQNormal, "q_normal", false, true, true, false},
    {Distribution::kLogNormal, "log_normal", false, false, true, false},
    {Distribution::kQLogNormal, "q_log_normal", false, true, true, false},
};

const DistributionInfo& InfoOf(Distribution id) {
  for (const DistributionInfo& info : kDistributions) {
    if (info.id == id) return info;
  }
  return kDistributions[0];
}

const char kShapes[] = "expected one of value, values, distribution/min/max";

// W&B's (and numpy's) rounding: halves go to the even neighbour.
double Quantize(double x, double q) { return std::nearbyint(x / q) * q; }

// A trainer setting's canonical form; a program's parameter as written.
absl::StatusOr<json> Canonical(const ParamSpec& spec, const json& value) {
  if (spec.program_parameter) return value;
  return common::CanonicalSetting(spec.name, value);
}

// A program's parameter has no declared type: as W&B, a range is int_uniform when both ends are
// integers (or the distribution says so), uniform otherwise.
TrainerSetting ProgramParameterSetting(const json& config) {
  TrainerSetting setting;
  const bool int_bounds = common::AsInteger(Field(config, "min")).has_value() &&
                          common::AsInteger(Field(config, "max")).has_value();
  const json& distribution = Field(config, "distribution");
  const bool int_distribution = distribution.is_string() && distribution.get<std::string>() == "int_uniform";
  setting.type = int_distribution || (distribution.is_null() && int_bounds) ? SettingType::kInt : SettingType::kFloat;
  return setting;
}

absl::Status ParseConstant(const json& config, const std::string& path, ParamSpec& spec) {
  if (absl::Status keys = CheckKeys(config, path, {"value", "distribution"}); !keys.ok()) {
    return keys;
  }
  absl::StatusOr<json> value = Canonical(spec, Field(config, "value"));
  if (!value.ok()) return ErrorAt(path + ".value", std::string(value.status().message()));
  spec.kind = ParamKind::kConstant;
  spec.value = *std::move(value);
  return absl::OkStatus();
}

absl::Status ParseProbabilities(const json& config, const std::string& path, ParamSpec& spec) {
  const std::string where = path + ".probabilities";
  const json& probabilities = Field(config, "probabilities");
  if (!probabilities.is_array() || probabilities.size() != spec.values.size()) {
    return ErrorAt(where, absl::StrCat("expected a list of ", spec.values.size(),
                                       " numbers (one per value), got ",
                                       common::DescribeJson(probabilities)));
  }
  double total = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const std::optional<double> p = common::AsNumber(probabilities[i]);
    if (!p || *p < 0) {
      return ErrorAt(absl::StrCat(where, "[", i, "]"),
                     absl::StrCat("expected a number >= 0, got ",
                                  common::DescribeJson(probabilities[i])));
    }
    spec.probabilities.push_back(*p);
    total += *p;
  }
  if (std::abs(total - 1.0) > 1e-6) {
    return ErrorAt(where, absl::StrCat("expected probabilities that sum to 1, they sum to ", total));
  }
  return absl::OkStatus();
}

absl::Status ParseCategorical(const json& config, const std::string& path, ParamSpec& spec) {
  if (absl::Status keys = CheckKeys(config, path, {"values", "probabilities", "distribution"});
      !keys.ok()) {
    return keys;
  }
  const json& values = Field(config, "values");
  if (!values.is_array() || values.empty()) {
    return ErrorAt(path + ".values", absl::StrCat("expected a non-empty list, got ",
                                                  common::DescribeJson(values)));
  }
  spec.kind = ParamKind::kCategorical;
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StatusOr<json> value = Canonical(spec, values[i]);
    if (!value.ok()) {
      return ErrorAt(absl::StrCat(path, ".values[", i, "]"), std::string(value.status().message()));
    }
    spec.values.push_back(*std::move(value));
  }
  if (config.contains("probabilities")) return ParseProbabilities(config, path, spec);
  return absl::OkStatus();
}

// Reads an optional number key, leaving `out` at its default when absent.
absl::Status ReadOptionalNumber(const json& config, const std::string& path, const char* key,
                                double& out) {
  if (!config.contains(key)) return absl::OkStatus();
  absl::StatusOr<double> number = ReadNumber(Field(config, key), JoinPath(path, key));
  if (!number.ok()) return number.status();
  out = *number;
  return absl::OkStatus();
}

absl::StatusOr<Distribution> ChooseDistribution(const json& config, const std::string& path,
                                                const TrainerSetting& setting) {
  if (!config.contains("distribution")) {
    // Inferred from {min, max}: see the header for how this differs from W&B.
    return setting.type == SettingType::kInt ? Distribution::kIntUniform : Distribution::kUniform;
  }
  const json& name = Field(config, "distribution");
  std::vector<std::string> names;
  for (const DistributionInfo& info : kDistributions) {
    if (name.is_string() && name.get<std::string>() == info.name) return info.id;
    names.push_back(info.name);
  }
  const std::string written = name.is_string() ? name.get<std::string>() : "";
  std::string hint = common::DidYouMean(written, names);
  if (hint.empty()) hint = absl::StrCat(" (supported: ", absl::StrJoin(names, ", "), ")");
  return ErrorAt(path + ".distribution",
                 absl::StrCat("unknown distribution ", common::DescribeJson(name), hint));
}

// An integer setting may only receive whole numbers.
absl::Status CheckIntegerSetting(const ParamSpec& spec, const std::string& path) {
  const DistributionInfo& info = InfoOf(spec.distribution);
  const bool whole_q = spec.q == std::floor(spec.q);
  if (spec.distribution == Distribution::kIntUniform || (info.quantized && whole_q)) {
    return absl::OkStatus();
  }
  return ErrorAt(path, absl::StrCat(spec.name,
                                    " is an integer setting: use int_uniform, values, or a q_ "
                                    "distribution with a whole-number q (got ",
                                    info.name, info.quantized ? absl::StrCat(" with q ", spec.q) : "",
                                    ")"));
}

// The smallest and largest value a bounded distribution can draw, so a range
// that strays outside the setting's allowed values is caught before any trial.
std::pair<double, double> ReachableRange(const ParamSpec& spec) {
  const double q = spec.q;
  switch (spec.distribution) {
    case Distribution::kQUniform:
      return {Quantize(spec.min, q), Quantize(spec.max, q)};
    case Distribution::kLogUniform:
      return {std::exp(spec.min), std::exp(spec.max)};
    case Distribution::kQLogUniform:
      return {Quantize(std::exp(spec.min), q), Quantize(std::exp(spec.max), q)};
    case Distribution::kQLogUniformValues:
      return {Quantize(spec.min, q), Quantize(spec.max, q)};
    case Distribution::kInvLogUniform:
      return {std::exp(-spec.max), std::exp(-spec.min)};
    default:  // int_uniform, uniform, log_uniform_values, inv_log_uniform_values
      return {spec.min, spec.max};
  }
}

absl::Status CheckReachableRange(const ParamSpec& spec, const std::string& path) {
  const auto [lo, hi] = ReachableRange(spec);
  for (const auto& [end, key] : {std::pair{lo, "min"}, std::pair{hi, "max"}}) {
    const json value = spec.integer_valued ? json(std::llround(end)) : json(end);
    if (absl::Status ok = common::ValidateSetting(spec.name, value); !ok.ok()) {
      return ErrorAt(absl::StrCat(path, ".", key),
                     absl::StrCat(DistributionName(spec.distribution), " can draw ",
                                  common::DescribeJson(value), " here, but ", ok.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseDistribution(const json& config, const std::string& path,
                               const TrainerSetting& setting, ParamSpec& spec) {
  absl::StatusOr<Distribution> distribution = ChooseDistribution(config, path, setting);
  if (!distribution.ok()) return distribution.status();
  spec.kind = ParamKind::kDistribution;
  spec.distribution = *distribution;
  const DistributionInfo& info = InfoOf(spec.distribution);
  std::vector<std::string> keys = {"distribution"};
  if (info.bounded) keys.insert(keys.end(), {"min", "max"});
  if (info.quantized) keys.push_back("q");
  if (info.normal_family) keys.insert(keys.end(), {"mu", "sigma"});
  if (absl::Status ok = CheckKeys(config, path, keys); !ok.ok()) return ok;

  if (setting.type != SettingType::kInt && setting.type != SettingType::kFloat) {
    const std::string takes =
        setting.type == SettingType::kBool         ? "true or false"
        : setting.type == SettingType::kNumberList ? "a list of numbers as a string"
        : setting.choices.empty()                  ? "a string"
                                                   : absl::StrCat("one of ", absl::StrJoin(setting.choices, ", "));
    return ErrorAt(path, absl::StrCat(spec.name, " takes ", takes, ": use value or values, not a distribution"));
  }
  if (info.bounded && !(config.contains("min") && config.contains("max"))) {
    return ErrorAt(path, absl::StrCat(info.name, " needs both min and max"));
  }
  for (const auto& [key, out] : {std::pair<const char*, double*>{"min", &spec.min},
                                 {"max", &spec.max}, {"q", &spec.q}, {"mu", &spec.mu},
                                 {"sigma", &spec.sigma}}) {
    if (absl::Status ok = ReadOptionalNumber(config, path, key, *out); !ok.ok()) return ok;
  }
  if (spec.distribution == Distribution::kIntUniform) {
    for (const char* key : {"min", "max"}) {
      if (!common::AsInteger(Field(config, key))) {
        return ErrorAt(JoinPath(path, key), absl::StrCat("expected an integer for int_uniform, got ",
                                                         common::DescribeJson(Field(config, key))));
      }
    }
  }
  if (info.bounded && !(spec.min < spec.max)) {
    return ErrorAt(path, absl::StrCat("min (", spec.min, ") must be less than max (", spec.max,
                                      ")"));
  }
  if (info.positive_bounds && spec.min <= 0) {
    return ErrorAt(path + ".min", absl::StrCat("expected a number > 0 for ", info.name, ", got ",
                                               spec.min));
  }
  if (spec.q <= 0) return ErrorAt(path + ".q", absl::StrCat("expected a number > 0, got ", spec.q));
  if (spec.sigma < 0) {
    return ErrorAt(path + ".sigma", absl::StrCat("expected a number >= 0, got ", spec.sigma));
  }
  spec.integer_valued = setting.type == SettingType::kInt;
  if (spec.integer_valued) {
    if (absl::Status ok = CheckIntegerSetting(spec, path); !ok.ok()) return ok;
  }
  // Unbounded (normal-family) draws are checked one by one when trials are made.
  return info.bounded && !spec.program_parameter ? CheckReachableRange(spec, path) : absl::OkStatus();
}

}  // namespace

std::string DistributionName(Distribution distribution) {
  return InfoOf(distribution).name;
}

absl::StatusOr<ParamSpec> ParseParamSpec(const std::string& name, const json& config, bool program_parameter) {
  const std::string path = "parameters." + name;
  const TrainerSetting* setting = program_parameter ? nullptr : common::FindSetting(name);
  if (setting == nullptr && !program_parameter) return ErrorAt(path, common::UnknownSettingMessage(name));
  if (!config.is_object()) {
    return ErrorAt(path, absl::StrCat(kShapes, ", got ", common::DescribeJson(config)));
  }
  if (config.contains("parameters")) {
    return ErrorAt(path, "nested parameters are not supported (parameters are flat)");
  }
  ParamSpec spec;
  spec.name = name;
  spec.program_parameter = program_parameter;
  const TrainerSetting program_setting = ProgramParameterSetting(config);
  if (program_parameter) setting = &program_setting;
  const std::string distribution =
      config.contains("distribution") && Field(config, "distribution").is_string()
          ? Field(config, "distribution").get<std::string>()
          : "";
  const bool has_value = config.contains("value");
  const bool has_values = config.contains("values");
  if (has_value && has_values) return ErrorAt(path, "give either value or values, not both");
  absl::Status status;
  if (has_value || distribution == "constant") {
    status = ParseConstant(config, path, spec);
  } else if (has_values || distribution == "categorical") {
    status = ParseCategorical(config, path, spec);
  } else if (config.contains("distribution") || config.contains("min") ||
             config.contains("max")) {
    status = ParseDistribution(config, path, *setting, spec);
  } else {
    return ErrorAt(path, kShapes);
  }
  if (!status.ok()) return status;
  return spec;
}

}  // namespace foldstack::sweep
