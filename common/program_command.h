// The command line of a sweep's own program, built the way W&B's agent builds it, so that a
// train.py written for `wandb agent` runs unchanged.
//
// A command is a list of words; a word that is exactly one macro expands to zero or more words:
//   ${env}             /usr/bin/env
//   ${interpreter}     python (python3 where no `python` is on PATH, as on Debian)
//   ${program}         the program's absolute path
//   ${args}            --name=value for every parameter (sorted by name)
//   ${args_no_hyphens} name=value
//   ${args_json}       one word: the parameters as a JSON object
//   ${args_json_file}  the path of a file holding that JSON object
// Values are written as Python's str() writes them (True, 0.001, 1e-05, [1, 2], 'adam' in lists),
// because that is what W&B passes. Other words, macros inside longer words included, pass as they
// are. Without a `command`, the command is W&B's default: ${env} ${interpreter} ${program} ${args}.
#ifndef FOLDSTACK_COMMON_PROGRAM_COMMAND_H_
#define FOLDSTACK_COMMON_PROGRAM_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::common {

const std::vector<std::string>& DefaultProgramCommand();

struct ProgramCommandInputs {
  std::vector<std::string> command;  // empty: DefaultProgramCommand()
  std::string program;               // absolute
  nlohmann::json params;             // the trial's parameters, an object
  std::string args_json_file;        // where the caller writes ArgsJson(params)
  std::string interpreter = "python";
};

// The argv; INVALID_ARGUMENT for an unknown ${macro} word or a command that expands to nothing.
absl::StatusOr<std::vector<std::string>> ExpandProgramCommand(const ProgramCommandInputs& inputs);

// Python's str(value) for a JSON value; json.dumps(params) for the ${args_json} macros.
std::string PythonStr(const nlohmann::json& value);
std::string ArgsJson(const nlohmann::json& params);

// "python" when PATH has it, else "python3".
std::string DefaultInterpreter();

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_PROGRAM_COMMAND_H_
