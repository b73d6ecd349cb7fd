#include "coordinator/sweep/json_fields.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/closest_name.h"
#include "common/json_numbers.h"

namespace foldstack::sweep {

using common::DescribeJson;

absl::Status ErrorAt(const std::string& path, const std::string& message) {
  return absl::InvalidArgumentError(path.empty() ? message : absl::StrCat(path, ": ", message));
}

const nlohmann::json& Field(const nlohmann::json& object, const std::string& key) {
  static const nlohmann::json* const kNull = new nlohmann::json(nullptr);
  if (!object.is_object()) return *kNull;
  const auto it = object.find(key);
  return it == object.end() ? *kNull : *it;
}

std::string JoinPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : absl::StrCat(parent, ".", key);
}

absl::Status RequireObject(const nlohmann::json& object, const std::string& path) {
  if (object.is_object()) return absl::OkStatus();
  return ErrorAt(path, absl::StrCat("expected a mapping, got ", DescribeJson(object)));
}

absl::Status CheckKeys(const nlohmann::json& object, const std::string& path,
                       const std::vector<std::string>& allowed) {
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    return ErrorAt(path, absl::StrCat("unknown key \"", item.key(), "\"",
                                      common::DidYouMean(item.key(), allowed)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadInt(const nlohmann::json& value, const std::string& path,
                                int64_t min) {
  const std::optional<int64_t> integer = common::AsInteger(value);
  if (integer && *integer >= min) return *integer;
  return ErrorAt(path,
                 absl::StrCat("expected an integer >= ", min, ", got ", DescribeJson(value)));
}

absl::StatusOr<double> ReadNumber(const nlohmann::json& value, const std::string& path) {
  const std::optional<double> number = common::AsNumber(value);
  if (number) return *number;
  return ErrorAt(path, absl::StrCat("expected a number, got ", DescribeJson(value)));
}

absl::StatusOr<bool> ReadBool(const nlohmann::json& value, const std::string& path) {
  if (value.is_boolean()) return value.get<bool>();
  return ErrorAt(path, absl::StrCat("expected true or false, got ", DescribeJson(value)));
}

absl::StatusOr<std::string> ReadString(const nlohmann::json& value, const std::string& path,
                                       const std::vector<std::string>& choices) {
  if (choices.empty()) {
    if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
    return ErrorAt(path, absl::StrCat("expected a non-empty string, got ", DescribeJson(value)));
  }
  if (value.is_string() && std::find(choices.begin(), choices.end(),
                                     value.get<std::string>()) != choices.end()) {
    return value.get<std::string>();
  }
  return ErrorAt(path, absl::StrCat("expected one of ", absl::StrJoin(choices, ", "), "; got ",
                                    DescribeJson(value)));
}

}  // namespace foldstack::sweep
