// Out-of-fold analysis commands:
//   relabel find (SWEEP_ID [--trials 1,2] | --sweeps 3,4 | --trials 7,12)
//                [--method confident_learning|fold_voting|all]
//   ensemble select (SWEEP_ID [--trials 1,2] | --sweeps 3,4 | --trials 7,12) [--metric macro_f1|log_loss]
//                   [--max-members M] [--init-size N] [--bagging B] [--seed S] [--method greedy|vote --top K]
//   ensemble list SWEEP_ID | ensemble list --sweep N | ensemble show ENSEMBLE_ID
// Across sweeps (--sweeps, or --trials without SWEEP_ID) every trial must be on the same split.
// Uses flags defined in cli/main.cc: link only into the foldstack binary.
#ifndef FOLDSTACK_CLI_ANALYSIS_COMMANDS_H_
#define FOLDSTACK_CLI_ANALYSIS_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/foldstack.pb.h"

namespace foldstack::cli {

extern const char kEnsembleUsage[];

// `relabel find [SWEEP_ID]` (`positional`: the arguments after "find"); returns the exit code.
int RunRelabelFind(const std::vector<std::string>& positional);

// `ensemble SUB ...` (args as left by absl::ParseCommandLine: args[1] == "ensemble").
int RunEnsemble(const std::vector<std::string>& args);

// The closing line of `ensemble select`, e.g.
// "OOF macro-F1 0.7100 (nested 0.6900; best single 0.6800, trial 4; average of all 0.6600)".
std::string EnsembleScoreLine(const foldstack::v1::SelectEnsembleResponse& selected);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_ANALYSIS_COMMANDS_H_
