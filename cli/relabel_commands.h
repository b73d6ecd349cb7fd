// `foldstack relabel ...`: the review loop over relabel candidates.
//   relabel list SWEEP_ID                     candidates with their review status
//   relabel accept|reject SAMPLE_OR_PERSON [--label L] [--note "..."] [--dataset ID|ROOT]
//   relabel apply FILE.csv [--dataset ID|ROOT] columns target,decision,label,note; all or nothing
//   relabel export --dataset ID|ROOT --out train.csv [--version N] [--moves FILE]
#ifndef FOLDSTACK_CLI_RELABEL_COMMANDS_H_
#define FOLDSTACK_CLI_RELABEL_COMMANDS_H_

#include <string>
#include <vector>

namespace foldstack::cli {

extern const char kRelabelUsage[];

// absl reserves --version, so `relabel ... --version N` becomes --label_version before the flags
// are parsed. Returns `args` (argv as strings) unchanged unless args[1] is "relabel".
std::vector<std::string> RenameRelabelFlags(std::vector<std::string> args);

// Runs `relabel SUB ...` (args as left by absl::ParseCommandLine: args[1] == "relabel").
// Returns the process exit code.
int RunRelabel(const std::vector<std::string>& args);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_RELABEL_COMMANDS_H_
