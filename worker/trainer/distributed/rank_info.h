#ifndef FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_RANK_INFO_H_
#define FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_RANK_INFO_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"

namespace foldstack::trainer::distributed {

// Where one trainer process stands in a data-parallel job: rank `rank` of
// `world_size`, meeting the others through the TCPStore that rank 0 hosts at
// master_addr:master_port.
struct RankInfo {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;
};

// The environment variables LaunchRanks sets for every rank (rank 0 included).
inline constexpr char kRankEnv[] = "FOLDSTACK_RANK";
inline constexpr char kWorldSizeEnv[] = "FOLDSTACK_WORLD_SIZE";
inline constexpr char kMasterAddrEnv[] = "FOLDSTACK_MASTER_ADDR";
inline constexpr char kMasterPortEnv[] = "FOLDSTACK_MASTER_PORT";

// Largest world the trainer accepts (the `ranks` setting's range).
inline constexpr int kMaxWorldSize = 64;

// Reads FOLDSTACK_RANK / FOLDSTACK_WORLD_SIZE / FOLDSTACK_MASTER_ADDR /
// FOLDSTACK_MASTER_PORT. All absent = rank 0 of 1. With a world size above 1
// the rank and port are required; errors name the variable, e.g.
//   FOLDSTACK_RANK: expected an integer in [0, 2), got "x"
absl::StatusOr<RankInfo> RankInfoFromEnvironment();

// Rank `rank`'s part of a global batch of n items: [rank*n/W, (rank+1)*n/W)
// (integer division), so the shards of one batch differ in size by at most 1
// and together cover [0, n) in rank order.
std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size);

}  // namespace foldstack::trainer::distributed

#endif  // FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_RANK_INFO_H_
