#include "cli/flag_names.h"

namespace foldstack::cli {

std::vector<std::string> NormalizeFlagDashes(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool options_ended = false;
  for (const std::string& arg : args) {
    if (arg == "--") options_ended = true;
    if (options_ended || arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      out.push_back(arg);
      continue;
    }
    std::string flag = arg;
    const size_t name_end = std::min(flag.find('='), flag.size());
    for (size_t i = 2; i < name_end; ++i) {
      if (flag[i] == '-') flag[i] = '_';
    }
    out.push_back(flag);
  }
  return out;
}

}  // namespace foldstack::cli
