#ifndef FOLDSTACK_COMMON_TRAINER_SETTINGS_H_
#define FOLDSTACK_COMMON_TRAINER_SETTINGS_H_

// The single source of truth for the trainer's settings: every setting's name,
// type, default and allowed values. The coordinator validates sweep files and
// fills defaults with it; the trainer reads the completed JSON it produces.
// To add a setting, add one line to the table in trainer_settings.cc.

#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::common {

// kNumberList: a string of comma-separated numbers, e.g. "30,60" (a string, so
// a sweep can list alternatives as values: ["30,60", "30,59"]).
enum class SettingType { kString, kInt, kFloat, kBool, kNumberList };

// Allowed numeric range; infinite ends mean "unbounded on that side".
struct Bounds {
  double lo = -std::numeric_limits<double>::infinity();
  bool lo_inclusive = true;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_inclusive = true;
};
Bounds AtLeast(double lo);                  // [lo, inf)
Bounds Above(double lo);                    // (lo, inf)
Bounds Closed(double lo, double hi);        // [lo, hi]
Bounds ClosedOpen(double lo, double hi);    // [lo, hi)

struct TrainerSetting {
  std::string name;
  SettingType type;
  nlohmann::json default_value;
  std::vector<std::string> choices;  // kString: the allowed values (empty = any)
  Bounds bounds;                     // kInt / kFloat
  std::string help;
  // Further checks of an already well-typed value (e.g. age_bins must be two
  // increasing ages); returns a message without the key, as ValidateSetting.
  std::function<absl::Status(const nlohmann::json&)> check;
};

// Every setting, in table order.
const std::vector<TrainerSetting>& AllSettings();
std::vector<std::string> SettingNames();
// nullptr when no setting has that name.
const TrainerSetting* FindSetting(std::string_view name);

// OK when `value` is allowed for setting `name`. The message names no key, so
// callers can prefix their own path, e.g.
//   expected one of sgd, adam; got "sgdd"
//   expected an integer >= 1, got 0
// An int setting accepts 3 and 3.0 but not 3.5; a float setting accepts ints.
absl::Status ValidateSetting(std::string_view name, const nlohmann::json& value);

// Validates and returns the canonical JSON form: int settings as JSON
// integers (3.0 -> 3), float settings as JSON floats (1 -> 1.0).
absl::StatusOr<nlohmann::json> CanonicalSetting(std::string_view name,
                                                const nlohmann::json& value);

// `params` (a JSON object) with every key validated and canonicalised and
// every missing setting filled with its default. Unknown keys are refused
// with the closest known name suggested. Errors read "lr: expected ...".
absl::StatusOr<nlohmann::json> CompleteSettings(const nlohmann::json& params);

// Checks that involve several settings of one complete trial (e.g.
// mixup + cutmix <= 1). Errors name the settings, e.g.
//   "mixup + cutmix: expected at most 1, got 1.2"
absl::Status ValidateCombination(const nlohmann::json& complete);

// Parses a kNumberList value ("30,60" -> {30, 60}; "" -> {}).
absl::StatusOr<std::vector<double>> ParseNumberList(std::string_view text);

// "unknown trainer setting "lrr" (did you mean "lr"?)", or with the list of
// known settings when nothing is close.
std::string UnknownSettingMessage(std::string_view name);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_TRAINER_SETTINGS_H_
