// kill -9 a worker in the middle of a job: its lease expires, the job runs again on another worker,
// and the sweep completes with nothing missing and nothing duplicated.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr int kPeople = 24;

TEST(WorkerKill, JobRunsAgainElsewhereAndNothingIsLostOrDuplicated) {
  const std::string dir = MakeTempDir("fault");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    std::to_string(kPeople), "--seed", "5", "--width", "96", "--height", "128"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/2000, /*heartbeat_ms=*/300).ok());
  absl::StatusOr<int> doomed = cluster.StartWorker();
  ASSERT_TRUE(doomed.ok());

  std::ofstream(dir + "/sweep.yaml") << R"(name: fault
method: grid
dataset: {kind: mask, root: data}
folds: {k: 3, seed: 2}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.002}
  epochs: {value: 6}
  batch_size: {value: 16}
  image_size: {value: 40}
)";
  CommandResult submitted = cluster.Cli({"sweep", "submit", dir + "/sweep.yaml"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  int64_t sweep_id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id));

  // Wait until the doomed worker is inside a job and has reported at least one epoch.
  int64_t victim_job = 0;
  for (int i = 0; i < 600 && victim_job == 0; ++i) {
    auto rows = Query(cluster.db_path(),
                      "SELECT j.id FROM jobs j WHERE j.state = 'running' AND EXISTS "
                      "(SELECT 1 FROM metrics m WHERE m.job_id = j.id) LIMIT 1");
    if (!rows.empty()) absl::SimpleAtoi(rows[0][0], &victim_job);
    if (victim_job == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(victim_job, 0) << "no job got going";
  cluster.KillWorker(*doomed, SIGKILL);
  ASSERT_TRUE(cluster.StartWorker().ok());

  absl::StatusOr<nlohmann::json> shown = cluster.WaitForSweep(sweep_id, 900);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  for (const auto& job : (*shown)["jobs"]) {
    EXPECT_EQ(job["state"], "JOB_STATE_DONE") << job.dump();
    if (job["job_id"].get<std::string>() == std::to_string(victim_job)) {
      EXPECT_EQ(job["attempt"], 2) << "the killed job must have run a second time: " << job.dump();
    }
  }
  const std::string db = cluster.db_path();
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM v_oof_predictions WHERE sweep_id = ", sweep_id)),
            kPeople * 7);
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(DISTINCT sample_key) FROM v_oof_predictions WHERE sweep_id = ",
                                         sweep_id)),
            kPeople * 7);
  // The killed attempt's epoch metrics were replaced by the second attempt's, not added to them.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM metrics WHERE job_id = ", victim_job,
                                         " AND name = 'val_macro_f1'")),
            6);
}

}  // namespace
}  // namespace foldstack::testing
