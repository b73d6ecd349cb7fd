// `foldstack artifacts ...`: the coordinator's artifact store (cli/artifact_args.h has the usage).
//   artifacts list SWEEP | --trial ID
//   artifacts get ID --out FILE
//   artifacts prune SWEEP --keep-top N [--dry-run]
#ifndef FOLDSTACK_CLI_ARTIFACT_COMMANDS_H_
#define FOLDSTACK_CLI_ARTIFACT_COMMANDS_H_

#include <string>
#include <vector>

namespace foldstack::cli {

// Runs `artifacts SUB ...` (args as left by absl::ParseCommandLine: args[1] == "artifacts").
// Returns the process exit code.
int RunArtifacts(const std::vector<std::string>& args);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_ARTIFACT_COMMANDS_H_
