#ifndef FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LAUNCH_RANKS_H_
#define FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LAUNCH_RANKS_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/trainer/distributed/rank_info.h"

namespace foldstack::trainer::distributed {

struct LaunchOptions {
  // The command ranks 1..world_size-1 run; command[0] is the executable's path.
  std::vector<std::string> command;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;  // 0: PickFreeLoopbackPort()
  // After another rank failed, how long rank 0 may take to notice (its
  // collectives fail once the peers are gone) before this process gives up
  // waiting: it then prints the failed rank's `error:` line and exits with 2.
  std::chrono::milliseconds abandon_after{30000};
};

// Runs a data-parallel job's ranks on this machine. Ranks 1..N-1 are child
// processes running options.command with FOLDSTACK_RANK / _WORLD_SIZE /
// _MASTER_ADDR / _MASTER_PORT set (see RankInfoFromEnvironment); their stdout
// and stderr go to this process's stderr, each line prefixed "[rank K] ". Rank
// 0 is `run_rank0` in the calling thread, with the same variables set in this
// process while it runs. The children stay in this process's process group
// (so whoever kills the group kills every rank) and get SIGKILL if this
// process dies.
//
// Returns rank 0's exit code when no child failed. When a child fails (non-zero
// exit or a signal), the other children are killed at once and the result is
// an error naming the first failed rank and its last `error:` line, e.g.
//   rank 1 of 4 failed (exit status 2): job 7: cannot read image "a.jpg"
// When rank 0 fails first, the children are killed and its code returned.
absl::StatusOr<int> LaunchRanks(const LaunchOptions& options, const std::function<int(const RankInfo&)>& run_rank0);

// This process's own command line for re-running it: /proc/self/exe and the
// arguments in /proc/self/cmdline after argv[0].
absl::StatusOr<std::vector<std::string>> OwnCommandLine();

}  // namespace foldstack::trainer::distributed

#endif  // FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LAUNCH_RANKS_H_
