// The whole loop on real parts: a generated dataset, a real coordinator with its SQLite file, two real
// worker processes training with LibTorch, and the CLI, all on loopback.
#include <algorithm>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr int kPeople = 36;
constexpr int kSamples = kPeople * 7;

class SweepEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("e2e"));
    CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", *dir_ + "/data",
                                      "--people", std::to_string(kPeople), "--seed", "3", "--width", "96",
                                      "--height", "128"});
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    cluster_ = new Cluster(*dir_);
    ASSERT_TRUE(cluster_->StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
    ASSERT_TRUE(cluster_->StartWorker().ok());
    ASSERT_TRUE(cluster_->StartWorker().ok());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete dir_;
  }

  static std::string WriteSweep(const std::string& name, const std::string& body) {
    std::string path = *dir_ + "/" + name;
    std::ofstream(path) << body;
    return path;
  }

  static std::string* dir_;
  static Cluster* cluster_;
};

std::string* SweepEndToEnd::dir_ = nullptr;
Cluster* SweepEndToEnd::cluster_ = nullptr;

// The grid varies the loss and an augmentation, as a team lead's recipe sweep would.
TEST_F(SweepEndToEnd, RecipeTrialsThreeFoldsOnTwoWorkers) {
  std::string sweep = WriteSweep("sweep.yaml", R"(name: e2e
method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
metric: {name: val_macro_f1, goal: maximize}
dataset: {kind: mask, root: data}
folds: {k: 3, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.002}
  loss: {values: [ce, focal]}
  shift_scale_rotate: {values: [0.0, 0.7]}
  epochs: {value: 5}
  batch_size: {value: 24}
  image_size: {value: 40}
)");
  CommandResult submitted = cluster_->Cli({"sweep", "submit", sweep});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  int64_t sweep_id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id)) << submitted.out;

  absl::StatusOr<nlohmann::json> shown = cluster_->WaitForSweep(sweep_id, 900);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  ASSERT_EQ((*shown)["jobs"].size(), 12u);
  for (const auto& job : (*shown)["jobs"]) EXPECT_EQ(job["state"], "JOB_STATE_DONE") << job.dump();

  // The analyst's view: exactly one OOF prediction per sample per trial.
  const std::string db = cluster_->db_path();
  auto per_trial = Query(db, absl::StrCat("SELECT trial_id, COUNT(*), COUNT(DISTINCT sample_key) "
                                          "FROM v_oof_predictions WHERE sweep_id = ", sweep_id, " GROUP BY trial_id"));
  ASSERT_EQ(per_trial.size(), 4u);
  for (const auto& row : per_trial) {
    EXPECT_EQ(row[1], std::to_string(kSamples)) << "trial " << row[0];
    EXPECT_EQ(row[2], std::to_string(kSamples)) << "trial " << row[0];
  }
  // Every probability row sums to 1 and its argmax is the stored prediction.
  auto rows = Query(db, absl::StrCat("SELECT probs, predicted FROM v_oof_predictions WHERE sweep_id = ", sweep_id));
  ASSERT_EQ(rows.size(), 4u * kSamples);
  for (const auto& row : rows) {
    auto probs = nlohmann::json::parse(row[0]).get<std::vector<double>>();
    ASSERT_EQ(probs.size(), 18u);
    double sum = 0;
    size_t argmax = 0;
    for (size_t c = 0; c < probs.size(); ++c) {
      sum += probs[c];
      if (probs[c] > probs[argmax]) argmax = c;
    }
    EXPECT_NEAR(sum, 1.0, 1e-4);
    EXPECT_EQ(std::to_string(argmax), row[1]);
  }
  // Held-out samples of a job are exactly its fold: each sample appears in one fold per trial.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM (SELECT trial_id, sample_key FROM v_oof_predictions "
                                         "WHERE sweep_id = ", sweep_id, " GROUP BY 1, 2 HAVING COUNT(DISTINCT fold) > 1)")),
            0);

  // Each trial trained with its own loss and augmentation: the trainer saw them (a trial's
  // settings are what its jobs ran with) and the four runs ended differently.
  auto recipes = Query(db, absl::StrCat("SELECT json_extract(params_json, '$.loss'), "
                                        "json_extract(params_json, '$.shift_scale_rotate') FROM trials "
                                        "WHERE sweep_id = ", sweep_id, " ORDER BY idx"));
  ASSERT_EQ(recipes.size(), 4u);
  std::set<std::pair<std::string, std::string>> distinct;
  for (const auto& row : recipes) distinct.insert({row[0], row[1]});
  EXPECT_EQ(distinct.size(), 4u);

  // The leaderboard ranks all trials on all 3 folds, clearly above chance (1/18 ~ 0.056).
  absl::StatusOr<nlohmann::json> board = cluster_->CliJson({"leaderboard", std::to_string(sweep_id)});
  ASSERT_TRUE(board.ok()) << board.status();
  ASSERT_EQ((*board)["rows"].size(), 4u);
  EXPECT_EQ((*board)["rows"][0]["folds_done"], 3);
  EXPECT_GT((*board)["rows"][0]["macro_f1_mean"].get<double>(), 0.25) << board->dump();
  std::set<double> scores;
  for (size_t i = 0; i < 4; ++i) {
    scores.insert((*board)["rows"][i]["macro_f1_mean"].get<double>());
    if (i > 0) {
      EXPECT_GE((*board)["rows"][i - 1]["macro_f1_mean"].get<double>(),
                (*board)["rows"][i]["macro_f1_mean"].get<double>());
    }
  }
  EXPECT_GT(scores.size(), 1u) << "every recipe ended the same: the settings did not reach the trainer";

  // The people's view prints the same ranking as an aligned table.
  CommandResult table = cluster_->Cli({"leaderboard", std::to_string(sweep_id)});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("MACRO_F1"), std::string::npos);
  EXPECT_NE(table.out.find("3/3"), std::string::npos);
  // Its PARAMS column names the swept settings, not the ~65 shared ones.
  EXPECT_NE(table.out.find("loss=focal shift_scale_rotate=0.7"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("loss=ce shift_scale_rotate=0"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("batch_size="), std::string::npos) << table.out;
}

TEST_F(SweepEndToEnd, CorruptImageFailsItsJobsWithThePathNotTheWorkers) {
  ASSERT_EQ(RunCommand({"/bin/cp", "-r", *dir_ + "/data", *dir_ + "/corrupt"}).exit_code, 0);
  std::ifstream csv(*dir_ + "/corrupt/train/train.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  const std::string person = row.substr(row.rfind(',') + 1);  // the path column is last
  const std::string broken = *dir_ + "/corrupt/train/images/" + person + "/mask1.jpg";
  std::ofstream(broken, std::ios::trunc) << "this is not a JPEG";

  std::string sweep = WriteSweep("corrupt.yaml", R"(name: corrupt
method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
dataset: {kind: mask, root: corrupt}
folds: {k: 2, seed: 0}
parameters:
  model: {value: resnet18}
  epochs: {value: 1}
  batch_size: {value: 16}
  image_size: {value: 32}
)");
  CommandResult submitted = cluster_->Cli({"sweep", "submit", sweep});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  int64_t sweep_id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id)) << submitted.out;
  absl::StatusOr<nlohmann::json> shown = cluster_->WaitForSweep(sweep_id, 300);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_FAILED") << shown->dump();
  for (const auto& job : (*shown)["jobs"]) {
    EXPECT_EQ(job["state"], "JOB_STATE_FAILED") << job.dump();
    // A bad input is not retried: it would fail the same way anywhere.
    EXPECT_EQ(job["attempt"], 1) << job.dump();
    EXPECT_NE(job["error"].get<std::string>().find(person + "/mask1.jpg"), std::string::npos) << job.dump();
  }
  // The trainer's last log lines reached the database next to the reason.
  EXPECT_GT(QueryNumber(cluster_->db_path(), absl::StrCat("SELECT COUNT(*) FROM jobs WHERE sweep_id = ", sweep_id,
                                                          " AND log_tail LIKE '%mask1.jpg%'")),
            0);
  // Both workers are still alive and heartbeating.
  absl::StatusOr<nlohmann::json> workers = cluster_->CliJson({"workers"});
  ASSERT_TRUE(workers.ok()) << workers.status();
  int alive = 0;
  for (const auto& worker : (*workers)["workers"]) alive += worker["state"] == "WORKER_STATE_ALIVE";
  EXPECT_EQ(alive, 2) << workers->dump();
}

TEST_F(SweepEndToEnd, BadSweepIsRefusedWithOneLineAndNothingQueued) {
  auto sweeps_before = cluster_->CliJson({"sweep", "list"});
  ASSERT_TRUE(sweeps_before.ok()) << sweeps_before.status();
  std::string sweep = WriteSweep("bad.yaml", R"(name: bad
method: grid
dataset: {kind: mask, root: data}
folds: {k: 3}
parameters:
  model: {value: resnet9000}
)");
  CommandResult refused = cluster_->Cli({"sweep", "submit", sweep});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("bad.yaml"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("parameters.model"), std::string::npos) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;

  std::string missing = WriteSweep("missing_root.yaml", R"(name: missing
method: grid
dataset: {kind: mask, root: no_such_folder}
parameters:
  model: {value: resnet18}
)");
  refused = cluster_->Cli({"sweep", "submit", missing});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("dataset.root"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("no_such_folder"), std::string::npos) << refused.err;

  std::string no_weights = WriteSweep("no_weights.yaml", R"(name: no_weights
method: grid
dataset: {kind: mask, root: data}
parameters:
  model: {value: vit_small_r26_s32_224}
  pretrained: {value: weights/vit_small_r26_s32_224.safetensors}
)");
  refused = cluster_->Cli({"sweep", "submit", no_weights});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("no_weights.yaml: parameters.pretrained: weights/vit_small_r26_s32_224.safetensors"),
            std::string::npos)
      << refused.err;

  auto sweeps_after = cluster_->CliJson({"sweep", "list"});
  ASSERT_TRUE(sweeps_after.ok());
  EXPECT_EQ((*sweeps_after)["sweeps"].size(), (*sweeps_before)["sweeps"].size());
}

TEST_F(SweepEndToEnd, CallsWithoutAValidTokenAreRefused) {
  CommandResult result = RunCommand({BinaryPath("cli/foldstack"), "sweep", "list",
                                     "--coordinator=" + cluster_->address(), "--token=wrong-token"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("invalid token"), std::string::npos) << result.err;
  result = RunCommand({BinaryPath("cli/foldstack"), "workers", "--coordinator=" + cluster_->address(), "--token="});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("token"), std::string::npos) << result.err;

  // Workers register themselves; the token never lands in the database in clear.
  auto workers = cluster_->CliJson({"workers"});
  ASSERT_TRUE(workers.ok()) << workers.status();
  EXPECT_GE((*workers)["workers"].size(), 2u);
  CommandResult dump = RunCommand({"/usr/bin/sqlite3", cluster_->db_path(), ".dump"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(dump.out.find(cluster_->token()), std::string::npos);
}

}  // namespace
}  // namespace foldstack::testing
