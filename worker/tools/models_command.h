#ifndef FOLDSTACK_WORKER_TOOLS_MODELS_COMMAND_H_
#define FOLDSTACK_WORKER_TOOLS_MODELS_COMMAND_H_

#include <string>
#include <vector>

namespace foldstack::worker::tools {

// `foldstack models list [--num-classes N] [--family F] [--json]` and
// `foldstack models forward --model NAME [--num-classes N] [--weights W.safetensors]
//      --input X.safetensors --output Y.safetensors`.
// Runs locally (LibTorch, no coordinator), as `foldstack-worker models ...`; the team lead's
// `foldstack models ...` runs it that way, so the CLI itself does not link LibTorch. `args` are the positional arguments after
// "models"; flags come from absl. Returns the process exit code.
int RunModelsCommand(const std::vector<std::string>& args, bool json);

}  // namespace foldstack::worker::tools

#endif  // FOLDSTACK_WORKER_TOOLS_MODELS_COMMAND_H_
