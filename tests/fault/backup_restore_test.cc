// Online backup and restore on real parts: `foldstack-coordinator backup` copies the results
// database while the coordinator serves it and sweeps are being submitted; the copy passes SQLite's
// integrity check, and a coordinator restarted on it (the README's restore steps) serves those
// sweeps and finishes one with a worker.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(method: grid
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 3}
parameters:
  model: {value: resnet18}
  lr: {value: 0.01}
  epochs: {value: 1}
  batch_size: {value: 16}
  image_size: {value: 32}
)";

TEST(BackupRestore, AnOnlineCopyRestoresToAWorkingCoordinator) {
  const std::string dir = MakeTempDir("backup_restore");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    "10", "--seed", "2", "--width", "32", "--height", "32", "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/5000, /*heartbeat_ms=*/500).ok());
  std::ofstream(dir + "/sweep.yaml") << kSweep;
  absl::StatusOr<int64_t> first = cluster.SubmitSweep(dir + "/sweep.yaml");
  ASSERT_TRUE(first.ok()) << first.status();

  // Submissions keep writing while the backup runs.
  std::atomic<bool> done{false};
  std::atomic<int> submitted{0};
  std::thread submitter([&] {
    while (!done) {
      if (cluster.SubmitSweep(dir + "/sweep.yaml").ok()) ++submitted;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string copy = dir + "/backup.db";
  CommandResult backup = RunCommand({BinaryPath("coordinator/foldstack-coordinator"), "backup", "--db",
                                     cluster.db_path(), "--out", copy});
  done = true;
  submitter.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("integrity ok"), std::string::npos) << backup.out;
  EXPECT_GT(submitted.load(), 0);
  EXPECT_EQ(Query(copy, "PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
  const int64_t in_copy = QueryNumber(copy, "SELECT COUNT(*) FROM sweeps");
  EXPECT_GE(in_copy, 1);
  EXPECT_LE(in_copy, QueryNumber(cluster.db_path(), "SELECT COUNT(*) FROM sweeps"));
  // Every sweep in the copy is whole: its jobs are there.
  EXPECT_EQ(QueryNumber(copy, "SELECT COUNT(*) FROM sweeps s WHERE NOT EXISTS "
                              "(SELECT 1 FROM jobs j WHERE j.sweep_id = s.id)"), 0);

  // A second backup onto the same file is refused in one line, leaving the copy as it was.
  CommandResult again = RunCommand({BinaryPath("coordinator/foldstack-coordinator"), "backup", "--db",
                                    cluster.db_path(), "--out", copy});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "foldstack-coordinator: backup: " + copy + ": exists; choose a new file for the backup\n");

  // Restore, as the README says: stop the coordinator, put the copy in place of the database and
  // its -wal/-shm files, start it again.
  cluster.StopCoordinator(SIGTERM);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(cluster.db_path() + suffix);
  std::filesystem::copy_file(copy, cluster.db_path());
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/5000, /*heartbeat_ms=*/500).ok());
  absl::StatusOr<nlohmann::json> listed = cluster.CliJson({"sweep", "list"});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(static_cast<int64_t>((*listed)["sweeps"].size()), in_copy) << listed->dump();
  // The later sweeps are cancelled, so that one worker finishes the first quickly.
  for (int64_t id = *first + 1; id < *first + in_copy; ++id) {
    EXPECT_EQ(cluster.Cli({"sweep", "cancel", std::to_string(id)}).exit_code, 0);
  }
  ASSERT_TRUE(cluster.StartWorker().ok());
  absl::StatusOr<nlohmann::json> finished = cluster.WaitForSweep(*first, 300);
  ASSERT_TRUE(finished.ok()) << finished.status();
  EXPECT_EQ((*finished)["summary"]["state"], "SWEEP_STATE_DONE") << finished->dump();
}

}  // namespace
}  // namespace foldstack::testing
