#include "common/program_command.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace foldstack::common {
namespace {

// float.__repr__: the shortest digits that read back the same, positional for exponents -4..15,
// else d.ddde±XX.
std::string PythonFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string text(buffer, end);  // e.g. "-1.5e-05", "1e+02"
  const size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string sign = text[0] == '-' ? "-" : "";
  std::string digits;
  for (char c : text.substr(sign.size(), e - sign.size())) {
    if (c != '.') digits += c;
  }
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    return absl::StrCat(sign, mantissa, "e", exponent < 0 ? "-" : "+", std::abs(exponent) < 10 ? "0" : "",
                        std::abs(exponent));
  }
  if (exponent < 0) return absl::StrCat(sign, "0.", std::string(-exponent - 1, '0'), digits);
  const size_t whole = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= whole) return absl::StrCat(sign, digits, std::string(whole - digits.size(), '0'), ".0");
  return absl::StrCat(sign, digits.substr(0, whole), ".", digits.substr(whole));
}

// repr() of a str: single quotes unless the text has one and no double quote.
std::string PythonRepr(const std::string& text) {
  const char quote = text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\\' || c == quote) out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + quote;
}

std::string PythonValue(const nlohmann::json& value, bool nested) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "None";
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case nlohmann::json::value_t::number_float:
      return PythonFloat(value.get<double>());
    case nlohmann::json::value_t::string:
      return nested ? PythonRepr(value.get<std::string>()) : value.get<std::string>();
    case nlohmann::json::value_t::array: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(PythonValue(item, true));
      return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [key, item] : value.items()) items.push_back(PythonRepr(key) + ": " + PythonValue(item, true));
      return absl::StrCat("{", absl::StrJoin(items, ", "), "}");
    }
    default:
      return value.dump();  // integers
  }
}

// json.dumps with its default separators and float repr.
std::string PythonJson(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_float:
      return PythonFloat(value.get<double>());
    case nlohmann::json::value_t::array: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(PythonJson(item));
      return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [key, item] : value.items()) {
        items.push_back(nlohmann::json(key).dump(-1, ' ', true) + ": " + PythonJson(item));
      }
      return absl::StrCat("{", absl::StrJoin(items, ", "), "}");
    }
    default:
      return value.dump(-1, ' ', true);
  }
}

}  // namespace

const std::vector<std::string>& DefaultProgramCommand() {
  static const auto* command = new std::vector<std::string>{"${env}", "${interpreter}", "${program}", "${args}"};
  return *command;
}

std::string PythonStr(const nlohmann::json& value) { return PythonValue(value, false); }

std::string ArgsJson(const nlohmann::json& params) { return PythonJson(params); }

std::string DefaultInterpreter() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path == nullptr ? "/usr/bin:/bin" : path, ':', absl::SkipEmpty())) {
    if (access(absl::StrCat(dir, "/python").c_str(), X_OK) == 0) return "python";
  }
  return "python3";
}

absl::StatusOr<std::vector<std::string>> ExpandProgramCommand(const ProgramCommandInputs& inputs) {
  std::vector<std::string> args, args_no_hyphens;
  for (const auto& [name, value] : inputs.params.items()) {
    args_no_hyphens.push_back(absl::StrCat(name, "=", PythonStr(value)));
    args.push_back("--" + args_no_hyphens.back());
  }
  const std::map<std::string, std::vector<std::string>> macros = {
      {"env", {"/usr/bin/env"}},
      {"interpreter", {inputs.interpreter}},
      {"program", {inputs.program}},
      {"args", args},
      {"args_no_hyphens", args_no_hyphens},
      {"args_json", {ArgsJson(inputs.params)}},
      {"args_json_file", {inputs.args_json_file}},
  };
  std::vector<std::string> argv;
  for (const std::string& word : inputs.command.empty() ? DefaultProgramCommand() : inputs.command) {
    if (word.size() < 3 || word.compare(0, 2, "${") != 0 || word.back() != '}') {
      argv.push_back(word);
      continue;
    }
    auto macro = macros.find(word.substr(2, word.size() - 3));
    if (macro == macros.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown macro ", word,
          " (expected ${env}, ${interpreter}, ${program}, ${args}, ${args_no_hyphens}, ${args_json} or "
          "${args_json_file})"));
    }
    argv.insert(argv.end(), macro->second.begin(), macro->second.end());
  }
  if (argv.empty()) return absl::InvalidArgumentError("expands to nothing");
  return argv;
}

}  // namespace foldstack::common
