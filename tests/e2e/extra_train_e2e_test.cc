// dataset.extra_train end to end on real processes: a coordinator and a worker run the same sweep
// with and without an extra training set of people aged >= 60 (`data synth --min_age 60`). The
// extra samples are trained on (each job's log counts them) but never held out: the OOF rows cover
// exactly the main dataset's samples, and both sweeps have the same split and fold assignment.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr int kPeople = 15;
constexpr int kExtraPeople = 4;

constexpr char kSweep[] = R"(method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
dataset: {kind: mask, root: data}
folds: {k: 3, seed: 2, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.003}
  epochs: {value: 1}
  batch_size: {value: 16}
  image_size: {value: 32}
)";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The job.log of every job of the sweep (first attempts) on worker 0.
std::vector<std::string> JobLogs(const Cluster& cluster, int64_t sweep_id) {
  std::vector<std::string> logs;
  for (const auto& row : Query(cluster.db_path(), absl::StrCat("SELECT id FROM jobs WHERE sweep_id = ", sweep_id))) {
    logs.push_back(ReadText(absl::StrCat(cluster.dir(), "/worker0/job-", row[0], "-a1/job.log")));
  }
  return logs;
}

int64_t SubmitAndWait(const Cluster& cluster, const std::string& path) {
  absl::StatusOr<int64_t> id = cluster.SubmitSweep(path);
  EXPECT_TRUE(id.ok()) << id.status();
  if (!id.ok()) return 0;
  absl::StatusOr<nlohmann::json> shown = cluster.WaitForSweep(*id, 900);
  EXPECT_TRUE(shown.ok()) << shown.status();
  if (shown.ok()) EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  return *id;
}

TEST(ExtraTrainEndToEnd, ExtraSamplesTrainButAreNeverHeldOutAndTheFoldsStay) {
  const std::string dir = MakeTempDir("extra_train_e2e");
  const std::string foldstack = BinaryPath("cli/foldstack");
  CommandResult main = RunCommand({foldstack, "data", "synth", "--out", dir + "/data", "--people",
                                   std::to_string(kPeople), "--seed", "5", "--width", "32", "--height", "32",
                                   "--eval_people", "0"});
  ASSERT_EQ(main.exit_code, 0) << main.err;
  CommandResult extra = RunCommand({foldstack, "data", "synth", "--out", dir + "/old", "--people",
                                    std::to_string(kExtraPeople), "--seed", "6", "--min_age", "60", "--first_id",
                                    "5001", "--width", "32", "--height", "32", "--eval_people", "0"});
  ASSERT_EQ(extra.exit_code, 0) << extra.err;
  std::ofstream(dir + "/plain.yaml") << "name: plain\n" << kSweep;
  std::string with_extra = kSweep;
  with_extra.replace(with_extra.find("root: data}"), 11, "root: data, extra_train: [{root: old, weight: 1}]}");
  std::ofstream(dir + "/extra.yaml") << "name: extra\n" << with_extra;
  std::ofstream(dir + "/missing.yaml") << "name: missing\n"
                                        << std::string(with_extra).replace(with_extra.find("root: old"), 9, "root: nope");

  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/15000, /*heartbeat_ms=*/500).ok());
  CommandResult refused = cluster.Cli({"sweep", "submit", dir + "/missing.yaml"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find(absl::StrCat("dataset.extra_train[0].root: nope (", dir, "/nope): no such directory")),
            std::string::npos)
      << refused.err;
  ASSERT_TRUE(cluster.StartWorker({"--slots", "2", "--threads", "1"}).ok());
  const int64_t plain = SubmitAndWait(cluster, dir + "/plain.yaml");
  const int64_t with = SubmitAndWait(cluster, dir + "/extra.yaml");
  const std::string db = cluster.db_path();

  // The same folds: one split row, the same assignment of every main sample.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(DISTINCT split_id) FROM sweeps WHERE id IN (", plain, ", ",
                                         with, ")")),
            1);
  const auto plain_split = SweepSplit(db, plain);
  EXPECT_EQ(plain_split.size(), static_cast<size_t>(kPeople * 7));
  EXPECT_EQ(SweepSplit(db, with), plain_split);

  // Trained on: every job of the extra sweep read the 28 extra photos; the plain sweep's none.
  const std::vector<std::string> logs = JobLogs(cluster, with);
  ASSERT_EQ(logs.size(), 3u);
  const std::string counted = absl::StrCat("extra_train[0] ", dir, "/old: ", kExtraPeople * 7,
                                           " extra training samples, weight 1: ", kExtraPeople * 7, " an epoch");
  for (const std::string& log : logs) EXPECT_NE(log.find(counted), std::string::npos) << log;
  for (const std::string& log : JobLogs(cluster, plain)) EXPECT_EQ(log.find("extra training samples"), std::string::npos) << log;

  // Never held out: one OOF row per main sample, none for an extra one.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM v_oof_predictions WHERE sweep_id = ", with)),
            kPeople * 7);
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(DISTINCT sample_key) FROM v_oof_predictions WHERE sweep_id = ",
                                         with)),
            kPeople * 7);
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM v_oof_predictions WHERE sweep_id = ", with,
                                         " AND (sample_key LIKE '%extra_train%' OR sample_key LIKE '%/005%')")),
            0);
}

}  // namespace
}  // namespace foldstack::testing
