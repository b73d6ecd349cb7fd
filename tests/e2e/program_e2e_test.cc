// Sweep programs on real parts: a coordinator, two workers and the CLI on loopback run a team's own
// Python script (importing the `foldstack` module the worker provides) under tpe with hyperband.
// Then every bad-program case fails its job with a clear reason and stores nothing.
#include <sys/stat.h>

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

// Reports score = 1 - (x - 0.3)^2 - y^2 - 0.1 / epoch (a known function of its parameters) for 3
// epochs, stopping when asked, then valid random OOF probabilities of its held-out samples.
constexpr char kProgram[] = R"(import random, sys
import foldstack

run = foldstack.init()
x, y = run.params["x"], run.params["y"]
assert run.num_classes == 18 and len(run.class_names) == 18, run.class_names
assert run.held_out and run.train and all(s.path.endswith(s.key) for s in run.train)
print("training on", len(run.train), "samples")   # stdout is a log line, not an event
for epoch in range(1, 4):
    run.log({"score": 1 - (x - 0.3) ** 2 - y ** 2 - 0.1 / epoch, "train_loss": 1.0 / epoch}, epoch=epoch)
    if run.should_stop():
        sys.exit(0)
rng = random.Random(run.job_id)
rows = []
for _ in run.held_out:
    raw = [rng.random() + 1e-3 for _ in range(run.num_classes)]
    rows.append([v / sum(raw) for v in raw])
run.predictions([s.key for s in run.held_out], rows)
)";

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

std::string Synth(const std::string& dir, int people) {
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    std::to_string(people), "--seed", "3", "--width", "32", "--height", "40",
                                    "--eval_people", "0"});
  EXPECT_EQ(synth.exit_code, 0) << synth.err;
  return dir + "/data";
}

TEST(ProgramEndToEnd, AnyPythonProgramRunsUnderTpeAndHyperband) {
  const std::string dir = MakeTempDir("program");
  Synth(dir, 12);
  WriteFile(dir + "/train.py", kProgram);
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker({"--stop_grace", "2"}).ok());
  ASSERT_TRUE(cluster.StartWorker({"--stop_grace", "2"}).ok());
  absl::StatusOr<int64_t> submitted = cluster.SubmitSweep(WriteFile(dir + "/sweep.yaml", R"(name: program
program: train.py
method: tpe
count: 8
seed: 2
max_concurrent_trials: 2
sampler: {n_startup_trials: 3}
metric: {name: score, goal: maximize}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {min: -1.0, max: 1.0}
)"));
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  const std::string id = std::to_string(*submitted);
  absl::StatusOr<nlohmann::json> sweep = cluster.WaitForSweep(*submitted, 240);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ((*sweep)["summary"]["state"], "SWEEP_STATE_DONE") << sweep->dump();

  const std::string db = cluster.db_path();
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM trials WHERE sweep_id = " + id), 8);
  // Every job ran to its end or was pruned, but for the jobs a pruned trial never started: those are
  // cancelled (whether another fold was still queued when hyperband stopped it is a matter of timing).
  const std::string unfinished =
      "FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE j.sweep_id = " + id +
      " AND j.state NOT IN ('done', 'pruned') AND NOT (j.state = 'cancelled' AND t.state = 'pruned' AND "
      "j.started_ms IS NULL)";
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) " + unfinished), 0)
      << ::testing::PrintToString(Query(db, "SELECT j.id, j.fold, j.state, j.error, t.state " + unfinished));
  // Each stored epoch is the program's function of its trial's parameters.
  const auto rows = Query(db, "SELECT json_extract(t.params_json, '$.x'), json_extract(t.params_json, '$.y'), m.epoch, "
                              "m.value FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN trials t ON t.id = j.trial_id "
                              "WHERE m.name = 'score'");
  ASSERT_FALSE(rows.empty());
  // x and y are float ranges: no two trials share a draw.
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(DISTINCT json_extract(params_json, '$.x')) FROM trials"), 8);
  for (const auto& row : rows) {
    const double x = std::stod(row[0]), y = std::stod(row[1]), epoch = std::stod(row[2]);
    EXPECT_NEAR(std::stod(row[3]), 1 - (x - 0.3) * (x - 0.3) - y * y - 0.1 / epoch, 1e-9);
  }
  // Hyperband stopped some trials; every trial whose folds all completed has one OOF row per sample.
  const double samples = QueryNumber(db, "SELECT COUNT(*) FROM samples");
  const auto completed = Query(db, "SELECT t.id FROM trials t WHERE t.sweep_id = " + id +
                                       " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.trial_id = t.id AND j.state != 'done')");
  ASSERT_GE(completed.size(), 1u);
  for (const auto& trial : completed) {
    EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions p JOIN jobs j ON j.id = p.job_id WHERE j.trial_id = " +
                                  trial[0]),
              samples);
  }
  EXPECT_GE(QueryNumber(db, "SELECT COUNT(*) FROM trials WHERE state = 'pruned' AND sweep_id = " + id), 1);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions p JOIN jobs j ON j.id = p.job_id WHERE j.state != 'done'"),
            0);
}

// One grid trial per way a program can go wrong; each fails its job with the reason.
constexpr char kBadProgram[] = R"(import sys
import foldstack

run = foldstack.init()
case = run.params["case"]
held = [s.key for s in run.held_out]
uniform = [[1.0 / run.num_classes] * run.num_classes for _ in held]
if case == "exits":
    print("error: lr 5 is too large", file=sys.stderr)
    sys.exit(3)
run.log({"acc" if case == "no_metric" else "score": 0.5}, epoch=1)
if case == "unknown_key":
    run.predictions(held[:-1] + ["nobody/x.jpg"], uniform)
elif case == "training_sample":
    run.predictions([run.train[0].key], uniform[:1])
elif case == "wrong_width":
    run.predictions(held, [[0.5, 0.5] for _ in held])
elif case == "nan":
    run.predictions(held, [[float("nan")] + row[1:] for row in uniform])
elif case == "not_normalized":
    run.predictions(held, [[2.0] * run.num_classes for _ in held])
elif case == "missing":
    run.predictions(held[:1], uniform[:1])
else:
    run.predictions(held, uniform)
)";

TEST(ProgramEndToEnd, EveryBadProgramFailsItsJobWithTheReasonAndStoresNothing) {
  const std::string dir = MakeTempDir("bad_program");
  Synth(dir, 6);
  WriteFile(dir + "/bad.py", kBadProgram);
  WriteFile(dir + "/gone.py", "print(1)\n");
  WriteFile(dir + "/plain.py", "print(1)\n");
  chmod((dir + "/plain.py").c_str(), 0644);
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  const std::string common = "method: grid\nmax_attempts: 1\nmetric: {name: score}\ndataset: {kind: mask, root: data}\n"
                             "folds: {k: 2, seed: 1}\n";
  absl::StatusOr<int64_t> cases = cluster.SubmitSweep(WriteFile(dir + "/cases.yaml", "program: bad.py\n" + common +
      "parameters:\n  case: {values: [exits, no_metric, unknown_key, training_sample, wrong_width, nan, "
      "not_normalized, missing, fine]}\n"));
  ASSERT_TRUE(cases.ok()) << cases.status();
  absl::StatusOr<int64_t> gone = cluster.SubmitSweep(
      WriteFile(dir + "/gone.yaml", "program: gone.py\n" + common + "parameters:\n  a: {value: 1}\n"));
  ASSERT_TRUE(gone.ok()) << gone.status();
  std::remove((dir + "/gone.py").c_str());  // seen at submit, gone by the time a worker runs it
  absl::StatusOr<int64_t> plain = cluster.SubmitSweep(WriteFile(
      dir + "/plain.yaml", "program: plain.py\ncommand:\n  - ${program}\n" + common + "parameters:\n  a: {value: 1}\n"));
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_TRUE(cluster.StartWorker({"--slots", "2"}).ok());
  for (int64_t sweep : {*cases, *gone, *plain}) ASSERT_TRUE(cluster.WaitForSweep(sweep, 180).ok());

  const std::string db = cluster.db_path();
  auto reason_of = [&](const std::string& where) {
    auto rows = Query(db, "SELECT j.state, COALESCE(j.error, '') FROM jobs j JOIN trials t ON t.id = j.trial_id "
                          "WHERE " + where + " ORDER BY j.fold LIMIT 1");
    return rows.empty() ? std::string("(no job)") : rows[0][0] + ": " + rows[0][1];
  };
  auto case_reason = [&](const std::string& name) {
    return reason_of(absl::StrCat("t.sweep_id = ", *cases, " AND json_extract(t.params_json, '$.case') = '", name, "'"));
  };
  auto contains = [](const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; };
  EXPECT_TRUE(contains(case_reason("exits"), "failed: program exited with code 3: lr 5 is too large"))
      << case_reason("exits");
  EXPECT_TRUE(contains(case_reason("no_metric"), "never") || contains(case_reason("no_metric"),
              "without reporting the sweep metric 'score' (it reported acc)")) << case_reason("no_metric");
  EXPECT_TRUE(contains(case_reason("unknown_key"), "unknown sample key 'nobody/x.jpg'")) << case_reason("unknown_key");
  EXPECT_TRUE(contains(case_reason("training_sample"), "a training sample of this job"))
      << case_reason("training_sample");
  EXPECT_TRUE(contains(case_reason("wrong_width"), "rows of 2 values; expected one per class (18)"))
      << case_reason("wrong_width");
  EXPECT_TRUE(contains(case_reason("nan"), "hold nan")) << case_reason("nan");
  EXPECT_TRUE(contains(case_reason("not_normalized"), "sum to 36; expected probabilities that sum to 1"))
      << case_reason("not_normalized");
  EXPECT_TRUE(contains(case_reason("missing"), "held-out samples")) << case_reason("missing");
  EXPECT_EQ(case_reason("fine"), "done: ");
  EXPECT_TRUE(contains(reason_of(absl::StrCat("t.sweep_id = ", *gone)), "gone.py not found on this worker"))
      << reason_of(absl::StrCat("t.sweep_id = ", *gone));
  EXPECT_TRUE(contains(reason_of(absl::StrCat("t.sweep_id = ", *plain)), "plain.py is not executable"))
      << reason_of(absl::StrCat("t.sweep_id = ", *plain));
  // The exit case keeps its log lines; no failed job stored a prediction.
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE ",
                                         "json_extract(t.params_json, '$.case') = 'exits' AND j.log_tail LIKE ",
                                         "'%error: lr 5 is too large%'")),
            2);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions p JOIN jobs j ON j.id = p.job_id WHERE j.state != 'done'"),
            0);
}

// The PyTorch example (experiments/programs/train.py, torchvision's resnet18) for one epoch at a
// small size on generated data: the way a team's own script runs. Debian's python3 holds the
// torch it needs, whatever `python` a PATH finds first.
TEST(ProgramEndToEnd, ThePytorchExampleProgramTrainsAFoldAndReportsOof) {
  const std::string dir = MakeTempDir("pytorch_program");
  Synth(dir, 8);
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/30000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());
  const std::string program = BinaryPath("experiments/programs/train.py");
  absl::StatusOr<int64_t> submitted = cluster.SubmitSweep(WriteFile(dir + "/sweep.yaml", absl::StrCat(
      "program: ", program, "\ncommand:\n  - /usr/bin/python3\n  - ${program}\n  - ${args}\n",
      "method: grid\nmax_attempts: 1\nmetric: {name: val_macro_f1}\ndataset: {kind: mask, root: data}\n",
      "folds: {k: 2, seed: 1}\nparameters:\n  epochs: {value: 1}\n  image_size: {value: 32}\n",
      "  batch_size: {value: 16}\n  lr: {value: 0.001}\n")));
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  absl::StatusOr<nlohmann::json> sweep = cluster.WaitForSweep(*submitted, 300);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  const std::string db = cluster.db_path();
  EXPECT_EQ((*sweep)["summary"]["state"], "SWEEP_STATE_DONE") << Query(db, "SELECT error FROM jobs")[0][0];
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM jobs WHERE state = 'done'"), 2);
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(*) FROM predictions"), QueryNumber(db, "SELECT COUNT(*) FROM samples"));
  EXPECT_EQ(QueryNumber(db, "SELECT COUNT(DISTINCT name) FROM metrics WHERE epoch = 1"), 3);
}

}  // namespace
}  // namespace foldstack::testing
