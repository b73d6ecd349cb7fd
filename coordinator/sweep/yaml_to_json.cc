#include "coordinator/sweep/yaml_to_json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/one_line.h"
#include "yaml-cpp/yaml.h"

namespace foldstack::sweep {
namespace {

std::string Where(const YAML::Mark& mark) {
  return absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ");
}

// A plain scalar typed by the YAML 1.2 core schema.
nlohmann::json TypePlainScalar(const std::string& text) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kTrue("true|True|TRUE");
  static const std::regex kFalse("false|False|FALSE");
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex kInf("([-+]?)\\.(inf|Inf|INF)");
  static const std::regex kNan("\\.(nan|NaN|NAN)");
  if (std::regex_match(text, kNull)) return nullptr;
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  if (std::regex_match(text, kDecimal)) {
    int64_t signed_value;
    if (absl::SimpleAtoi(text, &signed_value)) return signed_value;
    uint64_t unsigned_value;
    if (absl::SimpleAtoi(text, &unsigned_value)) return unsigned_value;
    return std::strtod(text.c_str(), nullptr);  // too big for any integer type
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    const int base = text[1] == 'x' ? 16 : 8;
    const std::string digits = text.substr(2);
    if (digits.find_first_not_of(base == 16 ? "0123456789abcdefABCDEF" : "01234567") ==
        std::string::npos) {
      errno = 0;
      const unsigned long long value = std::strtoull(digits.c_str(), nullptr, base);
      if (errno == 0) return static_cast<uint64_t>(value);
    }
    return text;
  }
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  std::smatch inf;
  if (std::regex_match(text, inf, kInf)) {
    return inf[1] == "-" ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
  }
  if (std::regex_match(text, kNan)) return std::numeric_limits<double>::quiet_NaN();
  return text;
}

// Aliases share nodes, so a few lines can name billions of values ("billion laughs"); nesting
// recurses. Both are bounded far above any sweep file's.
constexpr int kMaxDepth = 64;
constexpr int64_t kMaxValues = 100000;

struct Budget {
  int64_t values = 0;
};

absl::StatusOr<nlohmann::json> Convert(const YAML::Node& node, int depth, Budget& budget) {
  if (depth > kMaxDepth) {
    return absl::InvalidArgumentError(absl::StrCat(Where(node.Mark()), "nested deeper than ", kMaxDepth, " levels"));
  }
  if (++budget.values > kMaxValues) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(node.Mark()), "more than ", kMaxValues, " values (aliases expanding?)"));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar: {
      // "!" is the tag of quoted scalars, "?" of plain ones.
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return nlohmann::json(node.Scalar());
      return TypePlainScalar(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const YAML::Node& item : node) {
        absl::StatusOr<nlohmann::json> converted = Convert(item, depth + 1, budget);
        if (!converted.ok()) return converted.status();
        array.push_back(*std::move(converted));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(entry.first.Mark()), "map keys must be plain names"));
        }
        const std::string key = entry.first.Scalar();
        if (object.contains(key)) {
          return absl::InvalidArgumentError(
              absl::StrCat(Where(entry.first.Mark()), "duplicate key \"", common::Printable(key), "\""));
        }
        absl::StatusOr<nlohmann::json> converted = Convert(entry.second, depth + 1, budget);
        if (!converted.ok()) return converted.status();
        object[key] = *std::move(converted);
      }
      return object;
    }
  }
  return absl::InternalError("unknown YAML node type");
}

// "LINE:COLUMN: " of byte `offset`.
std::string WhereOffset(std::string_view text, size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const size_t line_start = before.rfind('\n');
  YAML::Mark mark;
  mark.line = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  mark.column = static_cast<int>(line_start == std::string_view::npos ? offset : offset - line_start - 1);
  return Where(mark);
}

}  // namespace

absl::StatusOr<nlohmann::json> YamlToJson(std::string_view yaml_text) {
  if (yaml_text.size() > kMaxYamlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("1:1: ", yaml_text.size(), " bytes, more than the ", kMaxYamlBytes, " a sweep file may have"));
  }
  // JSON strings (and the protobuf strings they travel in) are UTF-8; refused here by position
  // rather than by whichever later step trips over it. Control characters are refused too: YAML
  // allows none but tab and line ends, and yaml-cpp reads a file starting with NUL bytes as UTF-16
  // or UTF-32, whose conversion can yield bytes that are not UTF-8 (found by fuzzing).
  if (const size_t bad = common::FirstInvalidUtf8(yaml_text); bad != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(WhereOffset(yaml_text, bad), "not valid UTF-8"));
  }
  const auto control = std::find_if(yaml_text.begin(), yaml_text.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == '\x7f';
  });
  if (control != yaml_text.end()) {
    return absl::InvalidArgumentError(absl::StrCat(WhereOffset(yaml_text, control - yaml_text.begin()),
                                                   "control character ", common::Printable(std::string(1, *control))));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(e.mark), "YAML syntax error: ", common::Printable(e.msg)));
  }
  try {
    Budget budget;
    return Convert(root, 0, budget);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(Where(e.mark), "YAML error: ", common::Printable(e.msg)));
  }
}

}  // namespace foldstack::sweep
