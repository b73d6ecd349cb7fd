// `foldstack models ...` runs the worker binary's model tool (`foldstack-worker models ...`), so
// that the team lead's CLI neither links nor loads LibTorch.
#ifndef FOLDSTACK_CLI_WORKER_TOOL_H_
#define FOLDSTACK_CLI_WORKER_TOOL_H_

#include <optional>
#include <string>

namespace foldstack::cli {

// The foldstack-worker binary: $FOLDSTACK_WORKER, else beside this program (an installed pair),
// else ../worker/ from it (bazel-bin); nullopt leaves it to execvp's search of PATH.
std::optional<std::string> FindWorkerBinary();

// Replaces this process with `foldstack-worker models ARGS...` (argv[2..] passed unchanged);
// returns an exit code only when it cannot, after one line saying why.
int ExecWorkerModelTool(int argc, char** argv);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_WORKER_TOOL_H_
