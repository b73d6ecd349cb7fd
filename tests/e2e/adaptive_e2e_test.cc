// Early termination on real parts: a real coordinator, two real LibTorch workers and the CLI on
// loopback. A val_loss sweep (minimised) where one learning rate cannot learn: hyperband stops
// those trials at the first band through the metrics report, the workers stop their trainers, and
// the trials that learn run to their last epoch.
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

TEST(AdaptiveEndToEnd, HyperbandStopsTheTrialsThatCannotLearn) {
  const std::string dir = MakeTempDir("adaptive");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data",
                                    "--people", "24", "--seed", "5", "--width", "64", "--height", "80",
                                    "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());
  ASSERT_TRUE(cluster.StartWorker().ok());

  // Grid order puts a learning trial first, so every 1e-7 trial meets one at its first band.
  const std::string path = dir + "/sweep.yaml";
  std::ofstream(path) << R"(name: adaptive
method: grid
metric: {name: val_loss, goal: minimize}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {values: [0.003, 1.0e-7, 1.0e-7]}
  epochs: {value: 3}
  batch_size: {value: 24}
  image_size: {value: 32}
)";
  CommandResult submitted = cluster.Cli({"sweep", "submit", path});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  int64_t sweep_id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id)) << submitted.out;
  const std::string id = std::to_string(sweep_id);

  // `sweep watch` follows the coordinator's stream to the end: exit 0 for a done sweep.
  CommandResult watched = cluster.Cli({"sweep", "watch", id});
  EXPECT_EQ(watched.exit_code, 0) << watched.out << watched.err;
  EXPECT_NE(watched.out.find("sweep " + id + " done"), std::string::npos) << watched.out;

  const std::string db = cluster.db_path();
  // The learning trial ran both folds to epoch 3; the 1e-7 trials stopped after epoch 1 at most,
  // ended pruned, and kept their epochs but no OOF rows.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE t.idx = 0 "
                            "AND j.state = 'done' AND j.best_epoch >= 1"), 2);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials WHERE idx > 0 AND state = 'pruned'"), 2);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN trials t "
                            "ON t.id = j.trial_id WHERE t.idx > 0 AND m.epoch > 1"), 0);
  EXPECT_GE(QueryNumber(db, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE t.idx > 0 "
                            "AND j.state = 'pruned' AND j.stopped_epoch = 1"), 2);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions p JOIN jobs j ON j.id = p.job_id "
                            "WHERE j.state != 'done'"), 0);

  // The team lead's views: trials with where they were pruned; the leaderboard by val_loss.
  absl::StatusOr<nlohmann::json> trials = cluster.CliJson({"trials", id});
  ASSERT_TRUE(trials.ok()) << trials.status();
  ASSERT_EQ((*trials)["trials"].size(), 3u);
  EXPECT_EQ((*trials)["trials"][0]["state"], "TRIAL_STATE_DONE");
  EXPECT_EQ((*trials)["trials"][1]["state"], "TRIAL_STATE_PRUNED");
  EXPECT_EQ((*trials)["trials"][1]["stop_reason"].get<std::string>().rfind("hyperband", 0), 0u) << trials->dump();
  CommandResult board = cluster.Cli({"leaderboard", id});
  EXPECT_NE(board.out.find("VAL_LOSS"), std::string::npos) << board.out;
  EXPECT_NE(board.out.find("lowest first"), std::string::npos) << board.out;
  // The workers stopped their trainers on the coordinator's word.
  std::ifstream log0(dir + "/worker0.log"), log1(dir + "/worker1.log");
  const std::string logs = std::string(std::istreambuf_iterator<char>(log0), {}) +
                           std::string(std::istreambuf_iterator<char>(log1), {});
  EXPECT_NE(logs.find("pruned: hyperband"), std::string::npos) << logs;
}

}  // namespace
}  // namespace foldstack::testing
