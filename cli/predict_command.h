// `foldstack predict`: submissions from trained models.
//   foldstack predict (--trial ID[,ID...] | --members TRIAL:WEIGHT,... | --ensemble ID) --eval ROOT [--out submission.csv]
//                     [--probs probs.csv] [--wait]
//   foldstack predict get RUN_ID [--out submission.csv] [--probs probs.csv] [--wait]
// The first queues a prediction run (every fold model of every member, hflip TTA) and prints its
// id; with --wait it waits for the run and writes the files. `get` shows a run and, once done,
// writes them. submission.csv is ImageID,ans in eval/info.csv's row order (ans = argmax class);
// --probs writes the averaged probabilities. Files are replaced atomically.
#ifndef FOLDSTACK_CLI_PREDICT_COMMAND_H_
#define FOLDSTACK_CLI_PREDICT_COMMAND_H_

#include <string>
#include <vector>

namespace foldstack::cli {

struct PredictCommandOptions {
  std::string address;  // the coordinator
  std::string token;
  std::string out;      // --out (shared with `data synth`)
  bool json = false;
};

// `args` are the positional arguments after "predict". Returns the exit status.
int RunPredictCommand(const std::vector<std::string>& args, const PredictCommandOptions& options);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_PREDICT_COMMAND_H_
