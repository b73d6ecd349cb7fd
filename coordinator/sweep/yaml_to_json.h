#ifndef FOLDSTACK_COORDINATOR_SWEEP_YAML_TO_JSON_H_
#define FOLDSTACK_COORDINATOR_SWEEP_YAML_TO_JSON_H_

// YAML text -> JSON, so the sweep parser works on typed values.
//
// Plain (unquoted) scalars are typed by the YAML 1.2 core schema: null (~,
// null, empty), booleans (true/false in any of their three spellings),
// integers (decimal, 0o octal, 0x hex), floats (1.5, 1e-3, .inf, .nan);
// everything else, and every quoted scalar, is a string. Note that 1e-3 is a
// float here (YAML 1.2) although PyYAML (YAML 1.1) reads it as a string, and
// yes/no/on/off stay strings.

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// The largest sweep file read; the experiments/ ones are about 1 KB.
inline constexpr size_t kMaxYamlBytes = 1 << 20;

// Errors start with "LINE:COLUMN: " (1-based), e.g.
//   "3:5: YAML syntax error: illegal map value"
//   "7:3: duplicate key "lr""
// An empty document converts to JSON null. Refused besides: text that is not UTF-8, more than
// kMaxYamlBytes, nesting deeper than 64 levels, more than 100,000 values (aliases expand).
absl::StatusOr<nlohmann::json> YamlToJson(std::string_view yaml_text);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_YAML_TO_JSON_H_
