// Adaptive search and early termination on real parts: a real coordinator, two real LibTorch
// workers and the CLI on loopback. A tpe sweep of val_loss (minimised) where one learning rate
// cannot learn: trials are made on demand (2 in flight), hyperband stops the 1e-7 trials at the
// first band through the metrics report, the workers stop their trainers, the best trial runs to
// its last epoch, and the sweep ends after `count` trials.
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

TEST(AdaptiveEndToEnd, TpeWithHyperbandStopsTheTrialsThatCannotLearn) {
  const std::string dir = MakeTempDir("adaptive");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data",
                                    "--people", "24", "--seed", "5", "--width", "64", "--height", "80",
                                    "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());
  ASSERT_TRUE(cluster.StartWorker().ok());

  // Seed 4's two startup draws are lr 0.003 then 1e-7 (the first trial's jobs are leased first),
  // so every 1e-7 trial meets a learning trial's values at its first band.
  const std::string path = dir + "/sweep.yaml";
  std::ofstream(path) << R"(name: adaptive
method: tpe
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
count: 5
seed: 4
max_concurrent_trials: 2
sampler: {n_startup_trials: 2}
metric: {name: val_loss, goal: minimize}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {values: [0.003, 1.0e-7]}
  epochs: {value: 3}
  batch_size: {value: 24}
  image_size: {value: 32}
)";
  absl::StatusOr<int64_t> submitted = cluster.SubmitSweep(path);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  const int64_t sweep_id = *submitted;
  const std::string id = std::to_string(sweep_id);

  // `sweep watch` follows the coordinator's stream to the end: exit 0 for a done sweep.
  CommandResult watched = cluster.Cli({"sweep", "watch", id});
  EXPECT_EQ(watched.exit_code, 0) << watched.out << watched.err;
  EXPECT_NE(watched.out.find("sweep " + id + " done"), std::string::npos) << watched.out;

  const std::string db = cluster.db_path();
  // The sweep ended after `count` trials, made on demand by the sampler.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials WHERE sweep_id = " + id), 5);
  EXPECT_EQ(QueryNumber(db, "SELECT json_extract(params_json, '$.lr') FROM trials WHERE idx = 0"), 0.003);
  EXPECT_EQ(QueryNumber(db, "SELECT json_extract(params_json, '$.lr') FROM trials WHERE idx = 1"), 1e-7);
  // The first (learning) trial ran both folds to epoch 3.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(DISTINCT j.id) FROM jobs j JOIN trials t ON t.id = j.trial_id "
                            "JOIN metrics m ON m.job_id = j.id WHERE t.idx = 0 AND j.state = 'done' "
                            "AND j.best_epoch >= 1 AND m.epoch = 3"), 2);
  // Every 1e-7 trial ended pruned after epoch 1 at most, keeping its epochs but no OOF rows.
  const std::string cannot_learn = "json_extract(t.params_json, '$.lr') < 1e-6";
  EXPECT_GE(QueryNumber(db, "SELECT COUNT(*) FROM trials t WHERE " + cannot_learn), 1);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials t WHERE " + cannot_learn + " AND state != 'pruned'"), 0);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN trials t "
                            "ON t.id = j.trial_id WHERE " + cannot_learn + " AND m.epoch > 1"), 0);
  EXPECT_GE(QueryNumber(db, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE " +
                                cannot_learn + " AND j.state = 'pruned' AND j.stopped_epoch = 1"), 1);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions p JOIN jobs j ON j.id = p.job_id "
                            "WHERE j.state != 'done'"), 0);

  // The team lead's views: trials with where they were pruned; the leaderboard by val_loss, led by
  // a learning trial that ran to the end.
  absl::StatusOr<nlohmann::json> trials = cluster.CliJson({"trials", id});
  ASSERT_TRUE(trials.ok()) << trials.status();
  ASSERT_EQ((*trials)["trials"].size(), 5u);
  EXPECT_EQ((*trials)["trials"][0]["state"], "TRIAL_STATE_DONE");
  EXPECT_EQ((*trials)["trials"][1]["state"], "TRIAL_STATE_PRUNED");
  EXPECT_EQ((*trials)["trials"][1]["stop_reason"].get<std::string>().rfind("hyperband", 0), 0u) << trials->dump();
  absl::StatusOr<nlohmann::json> leaders = cluster.CliJson({"leaderboard", id});
  ASSERT_TRUE(leaders.ok()) << leaders.status();
  int64_t best = 0;  // the first done trial: the lowest mean val_loss
  for (const auto& row : (*leaders)["rows"]) {
    if (row["trial_state"] == "TRIAL_STATE_DONE" && best == 0) best = std::stoll(row["trial_id"].get<std::string>());
  }
  ASSERT_NE(best, 0) << leaders->dump();
  EXPECT_EQ(QueryNumber(db, "SELECT json_extract(params_json, '$.lr') FROM trials WHERE id = " +
                                std::to_string(best)), 0.003);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM jobs WHERE trial_id = " + std::to_string(best) +
                                " AND state = 'done'"), 2);
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
