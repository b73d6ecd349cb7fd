#include "worker/trainer/distributed/launch_ranks.h"

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace foldstack::trainer::distributed {
namespace {

constexpr char kHelper[] = "worker/trainer/distributed/launch_ranks_helper";

struct HelperRun {
  int exit_code = -1;
  std::vector<std::string> stderr_lines;
  double seconds = 0;
  std::string dir;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HelperRun RunHelper(const std::string& mode) {
  HelperRun run;
  run.dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + mode;
  std::filesystem::create_directories(run.dir);
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system((std::string(kHelper) + " " + mode + " " + run.dir + " 2>" + run.dir + "/stderr").c_str());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.stderr_lines = absl::StrSplit(ReadFile(run.dir + "/stderr"), '\n', absl::SkipEmpty());
  return run;
}

// "rank world port pid" as a rank wrote it.
std::vector<long> RankFile(const HelperRun& run, int rank) {
  std::vector<long> fields;
  std::istringstream in(ReadFile(run.dir + "/rank" + std::to_string(rank)));
  for (long value; in >> value;) fields.push_back(value);
  return fields;
}

// Alive and not a zombie: a killed rank may wait a moment to be reaped by init.
bool IsAlive(long pid) {
  std::istringstream stat(ReadFile("/proc/" + std::to_string(pid) + "/stat"));
  std::string id, name, state;
  if (!(stat >> id >> name >> state)) return false;
  return state != "Z" && state != "X";
}

std::string Joined(const std::vector<std::string>& lines) { return absl::StrJoin(lines, "\n"); }

TEST(LaunchRanksTest, EveryRankRunsWithItsPlaceInTheEnvironment) {
  HelperRun run = RunHelper("ok");
  EXPECT_EQ(run.exit_code, 0) << Joined(run.stderr_lines);
  std::vector<long> pids;
  for (int rank = 0; rank < 3; ++rank) {
    std::vector<long> fields = RankFile(run, rank);
    ASSERT_EQ(fields.size(), 4u) << "rank " << rank;
    EXPECT_EQ(fields[0], rank);
    EXPECT_EQ(fields[1], 3);
    EXPECT_EQ(fields[2], RankFile(run, 0)[2]);  // one port for all
    EXPECT_GT(fields[2], 0);
    pids.push_back(fields[3]);
  }
  EXPECT_NE(pids[0], pids[1]);
  EXPECT_NE(pids[1], pids[2]);
  for (const std::string& line : run.stderr_lines) EXPECT_FALSE(absl::StartsWith(line, "error:")) << line;
}

TEST(LaunchRanksTest, AFailingChildStopsTheOthersAndItsErrorIsTheLastLine) {
  HelperRun run = RunHelper("child_fails");
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_FALSE(run.stderr_lines.empty());
  EXPECT_EQ(run.stderr_lines.back(), "error: rank 1 of 3 failed (exit status 3): rank one broke");
  EXPECT_NE(Joined(run.stderr_lines).find("[rank 1] error: rank one broke"), std::string::npos);
  ASSERT_EQ(RankFile(run, 2).size(), 4u);
  EXPECT_FALSE(IsAlive(RankFile(run, 2)[3]));  // killed, not left sleeping for a minute
  EXPECT_LT(run.seconds, 30);
}

TEST(LaunchRanksTest, ARank0StuckAfterAFailureIsAbandoned) {
  HelperRun run = RunHelper("rank0_stuck");
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_GE(run.stderr_lines.size(), 2u);
  EXPECT_EQ(run.stderr_lines.back(), "error: rank 1 of 3 failed (exit status 3): rank one broke");
  EXPECT_TRUE(absl::StartsWith(run.stderr_lines[run.stderr_lines.size() - 2], "[launcher] rank 0 did not stop"));
  EXPECT_FALSE(IsAlive(RankFile(run, 2)[3]));
  EXPECT_LT(run.seconds, 30);
}

TEST(LaunchRanksTest, AFailingRank0StopsTheChildrenAndKeepsItsCode) {
  HelperRun run = RunHelper("rank0_fails");
  EXPECT_EQ(run.exit_code, 4) << Joined(run.stderr_lines);
  for (int rank : {1, 2}) {
    ASSERT_EQ(RankFile(run, rank).size(), 4u);
    EXPECT_FALSE(IsAlive(RankFile(run, rank)[3])) << rank;
  }
  EXPECT_LT(run.seconds, 30);
}

TEST(LaunchRanksTest, AWorldOfOneRunsOnlyRank0) {
  int calls = 0;
  absl::StatusOr<int> code = LaunchRanks(LaunchOptions{}, [&](const RankInfo& info) {
    ++calls;
    EXPECT_EQ(info.world_size, 1);
    EXPECT_STREQ(std::getenv(kWorldSizeEnv), "1");
    return 5;
  });
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 5);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(std::getenv(kWorldSizeEnv), nullptr);  // restored afterwards
}

TEST(OwnCommandLineTest, IsThisExecutableAndItsArguments) {
  absl::StatusOr<std::vector<std::string>> command = OwnCommandLine();
  ASSERT_TRUE(command.ok()) << command.status();
  ASSERT_FALSE(command->empty());
  EXPECT_TRUE(std::filesystem::equivalent((*command)[0], "/proc/self/exe"));
}

}  // namespace
}  // namespace foldstack::trainer::distributed
