// The sweep engine's control and memory on real parts: a real coordinator, real LibTorch workers
// and the CLI on loopback. A tpe sweep with fold pruning is paused before any worker starts (no
// lease is given), resumed, killed -9 mid-sweep with the coordinator restarted on the same
// database, and extended; the restarted coordinator asks exactly what the sampler asks from the
// stored history and seed, a trial pruned on its first fold never runs its other fold, and the
// sweep ends after the extended count. The last worker, started with --exit_when_idle, then exits;
// one more, drained with `foldstack workers drain`, exits too.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/store/study_store.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/sweep_spec.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

// Seed 4's two startup draws are lr 0.003 then 1e-7 (see adaptive_e2e_test); with one trial in
// flight, trial 1 (1e-7) meets trial 0 on fold 0 and is pruned there.
constexpr char kSweep[] = R"(name: restart
method: tpe
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
count: 3
seed: 4
max_concurrent_trials: 1
sampler: {n_startup_trials: 2}
metric: {name: val_loss, goal: minimize}
fold_pruning: {rule: median, min_trials: 1}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {values: [0.003, 1.0e-7]}
  epochs: {value: 2}
  batch_size: {value: 24}
  image_size: {value: 32}
)";

// Polls the database until `sql` gives `want` or 120 s pass; returns the last value.
double WaitFor(const std::string& db, const std::string& sql, double want) {
  double got = -1;
  for (int i = 0; i < 600; ++i) {
    got = QueryNumber(db, sql);
    if (got == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return got;
}

// The params the sweep's sampler asks for trial `idx` from the stored history of trials < idx
// (all finished: one trial is in flight at a time), as a restarted coordinator must.
nlohmann::json AskedFromHistory(const std::string& db_path, int64_t sweep_id, int idx) {
  auto db = coordinator::SqliteDb::Open(db_path);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return {};
  auto txn = coordinator::Transaction::Begin(**db, coordinator::Transaction::Mode::kDeferred);
  EXPECT_TRUE(txn.ok());
  auto control = coordinator::LoadSweepControl(**txn, sweep_id);
  EXPECT_TRUE(control.ok()) << control.status();
  auto study = coordinator::LoadStudyView(**txn, *control);
  EXPECT_TRUE(study.ok()) << study.status();
  study->trials.resize(idx);
  auto spec = sweep::ParseSweepYaml("restart", kSweep);
  EXPECT_TRUE(spec.ok()) << spec.status();
  auto sampler = sweep::MakeSampler("tpe", spec->parameters, spec->sampler_options);
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  auto asked = (*sampler)->Ask(*study, spec->seed, 1);
  EXPECT_TRUE(asked.ok() && asked->size() == 1u) << asked.status();
  return asked.ok() && !asked->empty() ? (*asked)[0] : nlohmann::json();
}

TEST(AdaptiveRestartEndToEnd, PauseResumeKillRestartExtendAndFoldPruning) {
  const std::string dir = MakeTempDir("restart");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data",
                                    "--people", "24", "--seed", "5", "--width", "64", "--height", "80",
                                    "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  std::ofstream(dir + "/sweep.yaml") << kSweep;
  absl::StatusOr<int64_t> submitted = cluster.SubmitSweep(dir + "/sweep.yaml");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  const int64_t sweep_id = *submitted;
  const std::string id = std::to_string(sweep_id);
  const std::string db = cluster.db_path();

  // Paused: a worker polls but is leased nothing.
  ASSERT_EQ(cluster.Cli({"sweep", "pause", id}).exit_code, 0);
  absl::StatusOr<int> first = cluster.StartWorker({"--max_jobs=2"});
  ASSERT_TRUE(first.ok());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM jobs WHERE attempt > 0"), 0);

  // Resumed: the worker runs trial 0's two folds and exits; trial 1 is made when trial 0 ends.
  ASSERT_EQ(cluster.Cli({"sweep", "resume", id}).exit_code, 0);
  EXPECT_EQ(cluster.WaitWorker(*first), 0);
  EXPECT_EQ(WaitFor(db, "SELECT COUNT(*) FROM trials WHERE state = 'done'", 1), 1);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials"), 2);

  // kill -9 and a new coordinator on the same database; then one more trial than submitted.
  cluster.StopCoordinator(SIGKILL);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  CommandResult extended = cluster.Cli({"sweep", "extend", id, "--count", "1"});
  ASSERT_EQ(extended.exit_code, 0) << extended.err;
  // A batch-scheduled worker: it leaves by itself once there is nothing left to run.
  absl::StatusOr<int> second = cluster.StartWorker({"--exit_when_idle=2"});
  ASSERT_TRUE(second.ok());
  CommandResult watched = cluster.Cli({"sweep", "watch", id});
  EXPECT_EQ(watched.exit_code, 0) << watched.out << watched.err;
  EXPECT_EQ(cluster.WaitWorker(*second), 0);

  // 3 + 1 trials; trial 1 (lr 1e-7) pruned by the fold rule on fold 0, its fold 1 never leased.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials WHERE sweep_id = " + id), 4);
  EXPECT_EQ(QueryNumber(db, "SELECT json_extract(params_json, '$.lr') FROM trials WHERE idx = 1"), 1e-7);
  std::string jobs;
  for (const auto& row : Query(db, "SELECT t.idx, j.fold, j.state, j.value FROM jobs j JOIN trials t ON t.id = j.trial_id")) {
    jobs += absl::StrCat(row.at(0), " ", row.at(1), " ", row.at(2), " ", row.at(3), "\n");
  }
  EXPECT_EQ(Query(db, "SELECT state FROM trials WHERE idx = 1").at(0).at(0), "pruned") << jobs;
  EXPECT_EQ(Query(db, "SELECT j.state FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE t.idx = 1 "
                      "AND j.fold = 1").at(0).at(0), "cancelled");
  EXPECT_EQ(QueryNumber(db, "SELECT j.attempt FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE t.idx = 1 "
                            "AND j.fold = 1"), 0);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN trials t "
                            "ON t.id = j.trial_id WHERE t.idx = 1 AND j.fold = 1"), 0);
  // Trials 2 and 3 were asked by the restarted coordinator: exactly the sampler's asks from the
  // stored history and the sweep's seed.
  for (int idx : {2, 3}) {
    const nlohmann::json params = nlohmann::json::parse(
        Query(db, absl::StrCat("SELECT params_json FROM trials WHERE sweep_id = ", id, " AND idx = ", idx)).at(0).at(0));
    EXPECT_EQ(params["lr"], AskedFromHistory(db, sweep_id, idx)["lr"]) << "trial " << idx;
  }
  EXPECT_EQ(Query(db, "SELECT state FROM sweeps WHERE id = " + id).at(0).at(0), "done");

  // `foldstack workers drain`: a worker with nothing to finish exits at its next heartbeat.
  absl::StatusOr<int> third = cluster.StartWorker();
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(WaitFor(db, "SELECT COUNT(*) FROM workers", 3), 3);
  const std::string newest = Query(db, "SELECT id FROM workers ORDER BY registered_ms DESC, rowid DESC LIMIT 1").at(0).at(0);
  CommandResult drained = cluster.Cli({"workers", "drain", newest});
  EXPECT_EQ(drained.exit_code, 0) << drained.err;
  EXPECT_NE(drained.out.find("draining"), std::string::npos) << drained.out;
  EXPECT_EQ(cluster.WaitWorker(*third), 0);
  EXPECT_EQ(cluster.Cli({"workers", "drain", "w-nobody"}).exit_code, 1);
}

}  // namespace
}  // namespace foldstack::testing
