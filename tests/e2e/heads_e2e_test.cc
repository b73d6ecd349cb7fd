// Per-head models end to end: on a generated dataset, an 18-class sweep and an age-only sweep on the
// same folds (real coordinator, worker and trainer), then `ensemble select` across both sweeps
// considers the composite "the 18-class model with the age head of the age model", and `predict`
// builds it on the eval set (named with --composite, and through the stored ensemble).
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"
#include "tests/testing/submission_check.h"

namespace foldstack::testing {
namespace {

constexpr int kPeople = 24;
constexpr int kEvalPeople = 6;

// A one-trial sweep of `task` on the data set's folds (k = 2, by person).
std::string SweepFile(const std::string& dir, const std::string& name, const std::string& task) {
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(path) << "name: " << name << R"(
method: grid
resume: false
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.003}
  epochs: {value: 2}
  batch_size: {value: 16}
  image_size: {value: 32}
  task: {value: )" << task << "}\n";
  return path;
}

// Runs the sweep to the end; returns its trial.
int64_t RunSweep(const Cluster& cluster, const std::string& path) {
  absl::StatusOr<int64_t> sweep_id = cluster.SubmitSweep(path);
  EXPECT_TRUE(sweep_id.ok()) << sweep_id.status();
  absl::StatusOr<nlohmann::json> shown = cluster.WaitForSweep(sweep_id.value_or(0), 300);
  EXPECT_TRUE(shown.ok()) << shown.status();
  if (!shown.ok()) return 0;
  EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  int64_t trial = 0;
  EXPECT_TRUE(absl::SimpleAtoi((*shown)["jobs"][0]["trial_id"].get<std::string>(), &trial)) << shown->dump();
  return trial;
}

TEST(HeadsEndToEnd, AgeModelReplacesTheAgeHeadInEnsemblesAndPredictions) {
  const std::string dir = MakeTempDir("heads_e2e");
  const std::string data = dir + "/data";
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", data, "--people",
                                    std::to_string(kPeople), "--eval_people", std::to_string(kEvalPeople), "--seed",
                                    "5", "--width", "96", "--height", "128"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());

  const int64_t full = RunSweep(cluster, SweepFile(dir, "full", "single"));
  const int64_t age = RunSweep(cluster, SweepFile(dir, "age", "age"));
  ASSERT_GT(full, 0);
  ASSERT_GT(age, 0);
  // The age trial's OOF rows hold its 3 bins, the 18-class trial's 18 classes.
  EXPECT_EQ(QueryNumber(cluster.db_path(), absl::StrCat("SELECT MAX(json_array_length(p.probs)) FROM predictions p "
                                                        "JOIN jobs j ON j.id = p.job_id WHERE j.trial_id = ", age)),
            3);
  EXPECT_EQ(QueryNumber(cluster.db_path(), absl::StrCat("SELECT MAX(json_array_length(p.probs)) FROM predictions p "
                                                        "JOIN jobs j ON j.id = p.job_id WHERE j.trial_id = ", full)),
            18);

  // Across both sweeps: the 18-class trial is the library, the composite joins it.
  const std::string composite = absl::StrCat("base=", full, ",age=", age);
  absl::StatusOr<nlohmann::json> selected =
      cluster.CliJson({"ensemble", "select", "--trials", absl::StrCat(full, ",", age), "--max-members", "4"});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ((*selected)["library_size"], 1) << selected->dump();
  EXPECT_EQ((*selected)["composites"], 1) << selected->dump();
  EXPECT_EQ((*selected)["best_composite"], composite) << selected->dump();
  ASSERT_EQ((*selected)["ensemble_heads"].size(), 3u) << selected->dump();
  EXPECT_EQ((*selected)["best_composite_heads"][2]["head"], "age");
  // The composite's mask and gender heads are the base trial's own.
  EXPECT_DOUBLE_EQ((*selected)["best_composite_heads"][0]["accuracy"].get<double>(),
                   (*selected)["best_single_heads"][0]["accuracy"].get<double>());
  CommandResult table = cluster.Cli({"ensemble", "select", "--trials", absl::StrCat(full, ",", age)});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("and 1 composites"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("AGE F1"), std::string::npos) << table.out;

  // predict --composite: both trials' fold models run on the eval set; the product is a valid submission.
  const std::string submission = dir + "/composite.csv";
  CommandResult predicted = cluster.Cli({"predict", "--composite", composite, "--eval", data, "--out", submission,
                                         "--wait"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err << predicted.out;
  EXPECT_NE(predicted.out.find("done: 4/4 fold models done"), std::string::npos) << predicted.out;
  int correct = 0;
  ASSERT_NO_FATAL_FAILURE(CheckSubmission(data, submission, kEvalPeople * 7, &correct));
  std::cerr << "composite: " << correct << " of " << kEvalPeople * 7 << " eval images right" << std::endl;

  // predict --ensemble: the stored ensemble, composite members included, predicts too.
  const std::string ensemble_id = (*selected)["ensemble"]["ensemble_id"].get<std::string>();
  CommandResult from_ensemble = cluster.Cli({"predict", "--ensemble", ensemble_id, "--eval", data, "--out",
                                             dir + "/ensemble.csv", "--wait"});
  ASSERT_EQ(from_ensemble.exit_code, 0) << from_ensemble.err << from_ensemble.out;
  ASSERT_NO_FATAL_FAILURE(CheckSubmission(data, dir + "/ensemble.csv", kEvalPeople * 7, &correct));

  // A head trial alone is no submission.
  CommandResult refused = cluster.Cli({"predict", "--trial", absl::StrCat(age), "--eval", data, "--wait"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("predicts one head (task age)"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace foldstack::testing
