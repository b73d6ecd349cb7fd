#include "cli/params_summary.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_join.h"
#include "common/trainer_settings.h"
#include "nlohmann/json.hpp"

namespace foldstack::cli {
namespace {

using nlohmann::json;

// Keys in settings-table order, then keys the table does not know (from an older or
// newer coordinator) alphabetically, so the cells read the same way on every row.
std::vector<std::string> OrderedKeys(const std::vector<std::optional<json>>& rows) {
  std::vector<std::string> keys;
  for (const std::string& name : common::SettingNames()) keys.push_back(name);
  std::vector<std::string> unknown;
  for (const auto& row : rows) {
    if (!row) continue;
    for (const auto& [key, value] : row->items()) {
      if (common::FindSetting(key) == nullptr && std::find(unknown.begin(), unknown.end(), key) == unknown.end()) {
        unknown.push_back(key);
      }
    }
  }
  std::sort(unknown.begin(), unknown.end());
  keys.insert(keys.end(), unknown.begin(), unknown.end());
  return keys;
}

// The row's value for key, or null when the row lacks it.
json ValueOf(const json& row, const std::string& key) { return row.contains(key) ? row.at(key) : json(); }

std::string FormatValue(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

}  // namespace

std::vector<std::string> DistinguishingParams(const std::vector<std::string>& params_json_rows) {
  std::vector<std::optional<json>> rows;
  for (const std::string& text : params_json_rows) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    rows.push_back(parsed.is_object() ? std::optional<json>(std::move(parsed)) : std::nullopt);
  }
  const std::vector<std::string> keys = OrderedKeys(rows);

  std::vector<std::string> shown;  // keys whose values differ between the parsed rows
  const json* first = nullptr;
  for (const auto& row : rows) {
    if (row && first == nullptr) first = &*row;
  }
  for (const std::string& key : keys) {
    for (const auto& row : rows) {
      if (row && ValueOf(*row, key) != ValueOf(*first, key)) {
        shown.push_back(key);
        break;
      }
    }
  }
  if (shown.empty() && first != nullptr) {
    for (const std::string& key : keys) {
      const common::TrainerSetting* setting = common::FindSetting(key);
      if (first->contains(key) && (setting == nullptr || first->at(key) != setting->default_value)) {
        shown.push_back(key);
      }
    }
  }

  std::vector<std::string> cells;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) {
      cells.push_back(params_json_rows[i]);
      continue;
    }
    std::vector<std::string> parts;
    for (const std::string& key : shown) {
      if (rows[i]->contains(key)) parts.push_back(key + "=" + FormatValue(rows[i]->at(key)));
    }
    cells.push_back(parts.empty() ? "-" : absl::StrJoin(parts, " "));
  }
  return cells;
}

}  // namespace foldstack::cli
