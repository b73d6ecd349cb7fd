// A stand-in for the trainer binary in launch_ranks_test: `launch_ranks_helper
// MODE DIR` launches 3 ranks of itself; each rank writes DIR/rank<R> ("rank
// world port pid") and then behaves as MODE says:
//   ok           every rank exits 0
//   child_fails  rank 1 waits for rank 2's file, prints "error: rank one broke" and exits 3; rank 2
//                sleeps; rank 0 returns 1 half a second after rank 1 wrote its file
//   rank0_stuck  like child_fails, but rank 0 never returns (the watchdog ends it)
//   rank0_fails  ranks 1 and 2 sleep; rank 0 returns 4 once both have started
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "worker/trainer/distributed/launch_ranks.h"
#include "worker/trainer/distributed/rank_info.h"

namespace {

using foldstack::trainer::distributed::RankInfo;

void WriteRankFile(const std::string& dir, const RankInfo& info) {
  const std::string path = dir + "/rank" + std::to_string(info.rank);
  {
    std::ofstream out(path + ".tmp");
    out << info.rank << " " << info.world_size << " " << info.master_port << " " << getpid() << "\n";
  }
  std::filesystem::rename(path + ".tmp", path);  // readers never see half a file
}

void WaitForFile(const std::string& path) {
  while (!std::filesystem::exists(path)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

int RunRank(const std::string& mode, const std::string& dir, const RankInfo& info) {
  WriteRankFile(dir, info);
  if (mode == "ok") return 0;
  if (info.rank == 1 && (mode == "child_fails" || mode == "rank0_stuck")) {
    WaitForFile(dir + "/rank2");  // so that rank 2 is surely running when the launcher stops it
    std::fprintf(stderr, "error: rank one broke\n");
    return 3;
  }
  if (info.rank != 0) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return 0;
  }
  if (mode == "child_fails") {
    WaitForFile(dir + "/rank1");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return 1;
  }
  if (mode == "rank0_fails") {
    WaitForFile(dir + "/rank1");
    WaitForFile(dir + "/rank2");
    return 4;
  }
  std::this_thread::sleep_for(std::chrono::seconds(60));  // rank0_stuck
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  namespace distributed = foldstack::trainer::distributed;
  if (argc != 3) return 64;
  const std::string mode = argv[1];
  const std::string dir = argv[2];
  absl::StatusOr<RankInfo> info = distributed::RankInfoFromEnvironment();
  if (!info.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(info.status().message()).c_str());
    return 2;
  }
  if (info->world_size > 1) return RunRank(mode, dir, *info);  // a launched rank
  absl::StatusOr<std::vector<std::string>> command = distributed::OwnCommandLine();
  if (!command.ok()) return 2;
  distributed::LaunchOptions options;
  options.command = *command;
  options.world_size = 3;
  options.abandon_after = std::chrono::milliseconds(1500);
  absl::StatusOr<int> code = distributed::LaunchRanks(options, [&](const RankInfo&) {
    // Rank 0 reads its place from the environment, as the trainer does.
    absl::StatusOr<RankInfo> rank0 = distributed::RankInfoFromEnvironment();
    return rank0.ok() ? RunRank(mode, dir, *rank0) : 2;
  });
  if (!code.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(code.status().message()).c_str());
    return 2;
  }
  return *code;
}
