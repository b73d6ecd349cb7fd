#ifndef FOLDSTACK_CLI_MODELS_COMMAND_H_
#define FOLDSTACK_CLI_MODELS_COMMAND_H_

#include <string>
#include <vector>

namespace foldstack::cli {

// `foldstack models list [--num-classes N] [--family F] [--json]` and
// `foldstack models forward --model NAME [--num-classes N] [--weights W.safetensors]
//      --input X.safetensors --output Y.safetensors`.
// Runs locally (LibTorch, no coordinator). `args` are the positional arguments after
// "models"; flags come from absl. Returns the process exit code.
int RunModelsCommand(const std::vector<std::string>& args, bool json);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_MODELS_COMMAND_H_
