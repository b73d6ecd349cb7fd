// Crash anywhere, lose nothing: kill -9 the coordinator again and again at random moments of a sweep
// (leases, metric reports, prediction streams, completions, a submission in flight) and restart it
// on the same database and address. The workers find it again by themselves; after every kill
// SQLite's integrity check passes; a submission cut off is all there or not there at all; and the
// sweeps complete with every job done once, every sample's OOF row stored once per trial, and every
// job's epochs without gaps.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(method: grid
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 5}
max_attempts: 50
parameters:
  model: {value: resnet18}
  lr: {values: [0.01, 0.003]}
  epochs: {value: 3}
  batch_size: {value: 16}
  image_size: {value: 32}
)";
constexpr int kTrials = 2, kFolds = 2, kPeople = 10;

using Rows = std::vector<std::vector<std::string>>;

TEST(CoordinatorKill, RepeatedKillsLoseAndDuplicateNothing) {
  const std::string dir = MakeTempDir("coordinator_kill");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    std::to_string(kPeople), "--seed", "8", "--width", "32", "--height", "32",
                                    "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  const int ttl_ms = 2000, heartbeat_ms = 300;
  ASSERT_TRUE(cluster.StartCoordinator(ttl_ms, heartbeat_ms).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());
  ASSERT_TRUE(cluster.StartWorker().ok());
  std::ofstream(dir + "/sweep.yaml") << kSweep;
  absl::StatusOr<int64_t> first = cluster.SubmitSweep(dir + "/sweep.yaml");
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string db = cluster.db_path();

  std::mt19937 random(20261205);
  int kills = 0;
  for (; kills < 6; ++kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(700, 3000)(random)));
    if (kills == 3) {
      // A submission in flight when the coordinator dies.
      std::thread submit([&] { (void)cluster.SubmitSweep(dir + "/sweep.yaml"); });
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      cluster.StopCoordinator(SIGKILL);
      submit.join();
    } else {
      cluster.StopCoordinator(SIGKILL);
    }
    ASSERT_EQ(Query(db, "PRAGMA integrity_check"), (Rows{{"ok"}})) << "after kill " << kills + 1;
    ASSERT_TRUE(cluster.StartCoordinator(ttl_ms, heartbeat_ms, /*same_address=*/true).ok()) << "restart " << kills;
    if (QueryNumber(db, "SELECT COUNT(*) FROM sweeps WHERE state NOT IN ('done', 'failed', 'cancelled')") == 0) break;
  }
  std::cerr << kills + 1 << " kills" << std::endl;
  ASSERT_GE(kills, 2) << "the sweep ended before the coordinator was killed a few times";

  // A submission is whole or absent: every stored sweep has all its trials' jobs.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM sweeps s WHERE (SELECT COUNT(*) FROM jobs j "
                                         "WHERE j.sweep_id = s.id) != ", kTrials * kFolds)),
            0);
  for (const auto& row : Query(db, "SELECT id FROM sweeps ORDER BY id")) {
    absl::StatusOr<nlohmann::json> done = cluster.WaitForSweep(std::stoll(row[0]), 600);
    ASSERT_TRUE(done.ok()) << done.status();
    EXPECT_EQ((*done)["summary"]["state"], "SWEEP_STATE_DONE") << done->dump();
  }
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM jobs WHERE state != 'done'"), 0);
  // Each sample is held out once per trial: one OOF row per sample per trial, none twice.
  const int64_t samples = QueryNumber(db, "SELECT COUNT(*) FROM samples WHERE dataset_id = "
                                          "(SELECT dataset_id FROM splits LIMIT 1)");
  ASSERT_GT(samples, 0);
  const int64_t sweeps = QueryNumber(db, "SELECT COUNT(*) FROM sweeps");
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions"), sweeps * kTrials * samples);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM (SELECT j.trial_id, p.sample_id FROM predictions p "
                            "JOIN jobs j ON j.id = p.job_id GROUP BY 1, 2 HAVING COUNT(*) > 1)"),
            0);
  // Every job's epochs run from 1 to its last without a gap, each metric once.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM (SELECT job_id FROM metrics GROUP BY job_id "
                            "HAVING COUNT(DISTINCT epoch) != MAX(epoch) OR MIN(epoch) != 1)"),
            0);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(DISTINCT job_id) FROM metrics"), sweeps * kTrials * kFolds);
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), (Rows{{"ok"}}));
}

}  // namespace
}  // namespace foldstack::testing
