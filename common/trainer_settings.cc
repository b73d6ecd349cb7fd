#include "common/trainer_settings.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/closest_name.h"
#include "common/json_numbers.h"
#include "common/model_names.h"

namespace foldstack::common {

Bounds AtLeast(double lo) { return Bounds{lo, true}; }
Bounds Above(double lo) { return Bounds{lo, false}; }
Bounds Closed(double lo, double hi) { return Bounds{lo, true, hi, true}; }
Bounds ClosedOpen(double lo, double hi) { return Bounds{lo, true, hi, false}; }

namespace {

TrainerSetting Choice(std::string name, std::string default_value,
                      std::vector<std::string> choices, std::string help) {
  return {std::move(name), SettingType::kString, default_value, std::move(choices), {},
          std::move(help)};
}
TrainerSetting Int(std::string name, int64_t default_value, Bounds bounds, std::string help) {
  return {std::move(name), SettingType::kInt, default_value, {}, bounds, std::move(help)};
}
TrainerSetting Float(std::string name, double default_value, Bounds bounds, std::string help) {
  return {std::move(name), SettingType::kFloat, default_value, {}, bounds, std::move(help)};
}

// The table. One line per setting.
const std::vector<TrainerSetting>& Table() {
  static const auto* const kTable = new std::vector<TrainerSetting>{
      Choice("model", "resnet18", KnownModelNames(), "backbone, by its timm name"),
      Choice("pretrained", "", {}, "safetensors weights to start from (timm's files load as they are)"),
      Float("drop_rate", 0.0, ClosedOpen(0, 1), "dropout before the classifier"),
      Float("drop_path_rate", 0.0, ClosedOpen(0, 1), "stochastic depth rate (timm's linear schedule)"),
      Choice("optimizer", "adam", {"sgd", "adam"}, "optimisation algorithm"),
      Float("lr", 0.001, Above(0), "learning rate"),
      Float("momentum", 0.9, ClosedOpen(0, 1), "SGD momentum (Adam: beta1)"),
      Float("weight_decay", 0.0, AtLeast(0), "L2 weight decay"),
      Int("epochs", 3, AtLeast(1), "passes over the training folds"),
      Int("batch_size", 32, AtLeast(1), "images per optimisation step"),
      Int("image_size", 224, Closed(16, 1024), "square side images are resized to"),
      Int("seed", 0, AtLeast(0), "seed for weight init and data order"),
  };
  return *kTable;
}

constexpr size_t kListedChoices = 8;

bool InBounds(double x, const Bounds& b) {
  const bool above_lo = b.lo_inclusive ? x >= b.lo : x > b.lo;
  const bool below_hi = b.hi_inclusive ? x <= b.hi : x < b.hi;
  return above_lo && below_hi;
}

// "an integer >= 1", "a number in [0, 1)", "a number > 0".
std::string DescribeExpected(const TrainerSetting& setting) {
  const Bounds& b = setting.bounds;
  std::string what = setting.type == SettingType::kInt ? "an integer" : "a number";
  const bool has_lo = std::isfinite(b.lo);
  const bool has_hi = std::isfinite(b.hi);
  if (has_lo && has_hi) {
    return absl::StrCat(what, " in ", b.lo_inclusive ? "[" : "(", b.lo, ", ", b.hi,
                        b.hi_inclusive ? "]" : ")");
  }
  if (has_lo) return absl::StrCat(what, b.lo_inclusive ? " >= " : " > ", b.lo);
  if (has_hi) return absl::StrCat(what, b.hi_inclusive ? " <= " : " < ", b.hi);
  return what;
}

absl::Status Mismatch(const std::string& expected, const nlohmann::json& value) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got ", DescribeJson(value)));
}

}  // namespace

const std::vector<TrainerSetting>& AllSettings() { return Table(); }

std::vector<std::string> SettingNames() {
  std::vector<std::string> names;
  for (const TrainerSetting& setting : Table()) names.push_back(setting.name);
  return names;
}

const TrainerSetting* FindSetting(std::string_view name) {
  for (const TrainerSetting& setting : Table()) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

std::string UnknownSettingMessage(std::string_view name) {
  const std::vector<std::string> names = SettingNames();
  std::string hint = DidYouMean(name, names);
  if (hint.empty()) hint = absl::StrCat(" (known settings: ", absl::StrJoin(names, ", "), ")");
  return absl::StrCat("unknown trainer setting \"", std::string(name), "\"", hint);
}

absl::StatusOr<nlohmann::json> CanonicalSetting(std::string_view name,
                                                const nlohmann::json& value) {
  const TrainerSetting* setting = FindSetting(name);
  if (setting == nullptr) return absl::InvalidArgumentError(UnknownSettingMessage(name));
  switch (setting->type) {
    case SettingType::kString: {
      const bool allowed =
          value.is_string() &&
          (setting->choices.empty() ||
           std::find(setting->choices.begin(), setting->choices.end(),
                     value.get<std::string>()) != setting->choices.end());
      if (allowed) return value;
      if (setting->choices.empty()) return Mismatch("a string", value);
      if (setting->choices.size() > kListedChoices) {
        // Long lists (the model zoo): name the closest few rather than all of them.
        const std::string given = value.is_string() ? value.get<std::string>() : value.dump();
        return absl::InvalidArgumentError(absl::StrCat(
            "expected one of ", setting->choices.size(), " known names (closest: ",
            absl::StrJoin(ClosestNames(given, setting->choices, 3), ", "), "); got ", DescribeJson(value)));
      }
      return absl::InvalidArgumentError(absl::StrCat("expected one of ",
                                                     absl::StrJoin(setting->choices, ", "),
                                                     "; got ", DescribeJson(value)));
    }
    case SettingType::kInt: {
      const std::optional<int64_t> integer = AsInteger(value);
      if (!integer || !InBounds(static_cast<double>(*integer), setting->bounds)) {
        return Mismatch(DescribeExpected(*setting), value);
      }
      return nlohmann::json(*integer);
    }
    case SettingType::kFloat: {
      const std::optional<double> number = AsNumber(value);
      if (!number || !InBounds(*number, setting->bounds)) {
        return Mismatch(DescribeExpected(*setting), value);
      }
      return nlohmann::json(*number);
    }
  }
  return absl::InternalError("unhandled setting type");
}

absl::Status ValidateSetting(std::string_view name, const nlohmann::json& value) {
  return CanonicalSetting(name, value).status();
}

absl::StatusOr<nlohmann::json> CompleteSettings(const nlohmann::json& params) {
  if (!params.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trainer settings must be a JSON object, got ", DescribeJson(params)));
  }
  nlohmann::json complete = nlohmann::json::object();
  for (const auto& [name, value] : params.items()) {
    absl::StatusOr<nlohmann::json> canonical = CanonicalSetting(name, value);
    if (!canonical.ok()) {
      return absl::InvalidArgumentError(
          FindSetting(name) == nullptr ? std::string(canonical.status().message())
                                       : absl::StrCat(name, ": ", canonical.status().message()));
    }
    complete[name] = *std::move(canonical);
  }
  for (const TrainerSetting& setting : Table()) {
    if (!complete.contains(setting.name)) complete[setting.name] = setting.default_value;
  }
  return complete;
}

}  // namespace foldstack::common
