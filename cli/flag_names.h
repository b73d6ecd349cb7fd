#ifndef FOLDSTACK_CLI_FLAG_NAMES_H_
#define FOLDSTACK_CLI_FLAG_NAMES_H_

#include <string>
#include <vector>

namespace foldstack::cli {

// Abseil flags are spelled with underscores; users type dashes (--num-classes,
// --label-noise). Rewrites "--a-b[=v]" to "--a_b[=v]" in every option before "--"
// (values and positional arguments are left alone).
std::vector<std::string> NormalizeFlagDashes(const std::vector<std::string>& args);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_FLAG_NAMES_H_
