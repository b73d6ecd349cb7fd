// A network partition, played with SIGSTOP: a worker frozen past its lease TTL loses its job, which
// runs again on another worker and completes. When the frozen worker comes back (SIGCONT), its stale
// reports are refused, the finished job's results stay those of the run that held the lease, and the
// returning worker drops the job and carries on with new work.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
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
  epochs: {value: 4}
  batch_size: {value: 16}
  image_size: {value: 40}
)";

using Rows = std::vector<std::vector<std::string>>;

// Polls `sql` until it returns a row (up to `seconds`); its first column, or "".
std::string WaitForRow(const std::string& db, const std::string& sql, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    const Rows rows = Query(db, sql);
    if (!rows.empty()) return rows[0][0];
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

TEST(Partition, AFrozenWorkersStaleReportsAreRefusedAndItCarriesOn) {
  const std::string dir = MakeTempDir("partition");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    "12", "--seed", "6", "--width", "40", "--height", "48", "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/1500, /*heartbeat_ms=*/300).ok());
  absl::StatusOr<int> frozen = cluster.StartWorker();
  ASSERT_TRUE(frozen.ok());
  std::ofstream(dir + "/sweep.yaml") << kSweep;
  absl::StatusOr<int64_t> sweep = cluster.SubmitSweep(dir + "/sweep.yaml");
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const std::string db = cluster.db_path();

  // Freeze the worker once it is inside a job and has reported an epoch.
  const std::string job = WaitForRow(db, "SELECT j.id FROM jobs j WHERE j.state = 'running' AND EXISTS "
                                         "(SELECT 1 FROM metrics m WHERE m.job_id = j.id) LIMIT 1", 120);
  ASSERT_NE(job, "") << "no job got going";
  const std::string frozen_id = Query(db, "SELECT worker_id FROM jobs WHERE id = " + job)[0][0];
  ASSERT_EQ(kill(cluster.WorkerPid(*frozen), SIGSTOP), 0);

  // Past the TTL its job is leased again, by another worker, which finishes the sweep.
  absl::StatusOr<int> other = cluster.StartWorker();
  ASSERT_TRUE(other.ok());
  absl::StatusOr<nlohmann::json> done = cluster.WaitForSweep(*sweep, 300);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ((*done)["summary"]["state"], "SWEEP_STATE_DONE") << done->dump();
  const Rows owner = Query(db, "SELECT attempt, worker_id != '" + frozen_id + "' FROM jobs WHERE id = " + job);
  ASSERT_EQ(owner, (Rows{{"2", "1"}})) << "the job did not run again elsewhere";
  const std::string results = "SELECT epoch, name, printf('%.17g', value) FROM metrics WHERE job_id = " + job +
                              " UNION ALL SELECT sample_id, 'p', probs FROM predictions WHERE job_id = " + job +
                              " ORDER BY 1, 2";
  const Rows before = Query(db, results);
  const Rows jobs_before = Query(db, "SELECT id, state, attempt, worker_id FROM jobs ORDER BY id");

  // Back from the partition: whatever it still says about the job is refused.
  ASSERT_EQ(kill(cluster.WorkerPid(*frozen), SIGCONT), 0);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(Query(db, results), before);
  EXPECT_EQ(Query(db, "SELECT id, state, attempt, worker_id FROM jobs ORDER BY id"), jobs_before);
  // It was told so: the heartbeat revoked the job, or its next report was discarded.
  std::ifstream log_file(dir + "/worker0.log");
  const std::string log((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(log.find("job " + job + " revoked by the coordinator") != std::string::npos ||
              log.find("report discarded") != std::string::npos)
      << log;

  // And it carries on: alone now, it runs a new sweep to the end.
  cluster.KillWorker(*other, SIGTERM);
  ASSERT_EQ(cluster.WaitWorker(*other), 0);
  absl::StatusOr<int64_t> next = cluster.SubmitSweep(dir + "/sweep.yaml");
  ASSERT_TRUE(next.ok()) << next.status();
  absl::StatusOr<nlohmann::json> finished = cluster.WaitForSweep(*next, 300);
  ASSERT_TRUE(finished.ok()) << finished.status();
  EXPECT_EQ((*finished)["summary"]["state"], "SWEEP_STATE_DONE") << finished->dump();
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM jobs WHERE sweep_id = ", *next, " AND worker_id = '",
                                         frozen_id, "' AND state = 'done'")),
            2);
  EXPECT_NE(cluster.WorkerPid(*frozen), 0);
}

}  // namespace
}  // namespace foldstack::testing
