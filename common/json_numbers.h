#ifndef FOLDSTACK_COMMON_JSON_NUMBERS_H_
#define FOLDSTACK_COMMON_JSON_NUMBERS_H_

// Reading numbers out of JSON the way people write them in YAML or W&B
// configs: an integer may arrive as 3 or 3.0, a float as 1 or 1e-3.

#include <cstdint>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace foldstack::common {

// The value as an int64 when it is a JSON integer, or a finite float with no
// fractional part, that fits; nullopt otherwise (3.5, "3", true, 2^70).
std::optional<int64_t> AsInteger(const nlohmann::json& value);

// The value as a finite double when it is a JSON number; nullopt for strings,
// booleans, null, infinities and NaN.
std::optional<double> AsNumber(const nlohmann::json& value);

// How an offending value is quoted in an error message: strings in double
// quotes, numbers as written, non-finite floats as .inf/-.inf/.nan.
std::string DescribeJson(const nlohmann::json& value);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_JSON_NUMBERS_H_
