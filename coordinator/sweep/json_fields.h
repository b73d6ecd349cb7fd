#ifndef FOLDSTACK_COORDINATOR_SWEEP_JSON_FIELDS_H_
#define FOLDSTACK_COORDINATOR_SWEEP_JSON_FIELDS_H_

// Typed reads from a parsed sweep file. Every error is one line that starts
// with the key path ("folds.k: expected an integer >= 2, got "five""); the
// sweep parser adds the file name in front.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// InvalidArgument "PATH: MESSAGE" (just MESSAGE when PATH is empty).
absl::Status ErrorAt(const std::string& path, const std::string& message);

// object[key], or a JSON null when the key is absent (const operator[] on a
// missing key is undefined behaviour in nlohmann::json).
const nlohmann::json& Field(const nlohmann::json& object, const std::string& key);

// "parent.key", or "key" at the top level.
std::string JoinPath(const std::string& parent, const std::string& key);

// OK when `object` is a JSON object; else "PATH: expected a mapping, got ...".
absl::Status RequireObject(const nlohmann::json& object, const std::string& path);

// Refuses keys outside `allowed`, suggesting the closest allowed one:
//   metric: unknown key "nme" (did you mean "name"?)
absl::Status CheckKeys(const nlohmann::json& object, const std::string& path,
                       const std::vector<std::string>& allowed);

// An integer >= `min` (3.0 counts as 3).
absl::StatusOr<int64_t> ReadInt(const nlohmann::json& value, const std::string& path,
                                int64_t min);
// Any finite number.
absl::StatusOr<double> ReadNumber(const nlohmann::json& value, const std::string& path);
absl::StatusOr<bool> ReadBool(const nlohmann::json& value, const std::string& path);
// A non-empty string; one of `choices` unless `choices` is empty.
absl::StatusOr<std::string> ReadString(const nlohmann::json& value, const std::string& path,
                                       const std::vector<std::string>& choices = {});

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_JSON_FIELDS_H_
