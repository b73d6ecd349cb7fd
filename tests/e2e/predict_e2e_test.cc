// A submission end to end: a generated dataset with its eval set, a real coordinator and worker, a
// 1-trial x 2-fold sweep of a small model, then `foldstack predict` on the eval set, scored against
// the hidden answers.
#include <fstream>
#include <iostream>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"
#include "tests/testing/submission_check.h"

namespace foldstack::testing {
namespace {

constexpr int kPeople = 30;
constexpr int kEvalPeople = 8;

TEST(PredictEndToEnd, SweepThenSubmissionBeatsChance) {
  const absl::Time start = absl::Now();
  const std::string dir = MakeTempDir("predict_e2e");
  const std::string data = dir + "/data";
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", data, "--people",
                                    std::to_string(kPeople), "--eval_people", std::to_string(kEvalPeople), "--seed",
                                    "4", "--width", "96", "--height", "128"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/10000, /*heartbeat_ms=*/500).ok());
  ASSERT_TRUE(cluster.StartWorker().ok());

  const std::string sweep = dir + "/sweep.yaml";
  std::ofstream(sweep) << R"(name: predict-e2e
method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 1, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.003}
  epochs: {value: 4}
  batch_size: {value: 16}
  image_size: {value: 32}
)";
  CommandResult submitted = cluster.Cli({"sweep", "submit", sweep});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  int64_t sweep_id = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(submitted.out), &sweep_id)) << submitted.out;
  absl::StatusOr<nlohmann::json> shown = cluster.WaitForSweep(sweep_id, 300);
  ASSERT_TRUE(shown.ok()) << shown.status();
  ASSERT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  std::cerr << "sweep done after " << absl::ToDoubleSeconds(absl::Now() - start) << " s" << std::endl;
  int64_t trial = 0;  // int64 fields are JSON strings in protobuf's mapping
  ASSERT_TRUE(absl::SimpleAtoi((*shown)["jobs"][0]["trial_id"].get<std::string>(), &trial)) << shown->dump();
  // Both fold models were kept.
  EXPECT_EQ(QueryNumber(cluster.db_path(), absl::StrCat("SELECT COUNT(*) FROM jobs WHERE trial_id = ", trial,
                                                        " AND checkpoint_path LIKE '%/best.safetensors'")),
            2);

  // A bad eval set is refused in one line naming the row, and queues nothing.
  const std::string bad = dir + "/bad";
  ASSERT_EQ(RunCommand({"/bin/mkdir", "-p", bad + "/eval/images"}).exit_code, 0);
  std::ofstream(bad + "/eval/info.csv") << "ImageID,ans\nmissing.jpg,0\n";
  CommandResult refused = cluster.Cli({"predict", "--trial", std::to_string(trial), "--eval", bad, "--out",
                                       dir + "/never.csv", "--wait"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.err, "foldstack: " + bad + "/eval/info.csv: row 1: ImageID \"missing.jpg\": no image at " + bad +
                             "/eval/images/missing.jpg\n");

  const std::string submission = dir + "/submission.csv", probs = dir + "/probs.csv";
  CommandResult predicted = cluster.Cli({"predict", "--trial", std::to_string(trial), "--eval", data, "--out",
                                         submission, "--probs", probs, "--wait"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err << predicted.out;
  std::cerr << "submission written after " << absl::ToDoubleSeconds(absl::Now() - start) << " s" << std::endl;
  EXPECT_NE(predicted.out.find("done: 2/2 fold models done"), std::string::npos) << predicted.out;

  // The competition's format: header, info.csv's rows in order, every ImageID once, a class each.
  int correct = 0;
  ASSERT_NO_FATAL_FAILURE(CheckSubmission(data, submission, kEvalPeople * 7, &correct));
  const auto rows = ReadCsv(submission);
  // Well above chance (1/18). (On this seed: 17 of 56 right; the most common class is 15 of 56.)
  const int images = kEvalPeople * 7;
  EXPECT_GT(correct, 2 * images / 18) << correct << " of " << images << " right";
  std::cerr << correct << " of " << images << " eval images right" << std::endl;

  // The probabilities file: same rows, 18 columns summing to 1, argmax = ans.
  const auto prob_rows = ReadCsv(probs);
  ASSERT_EQ(prob_rows.size(), rows.size());
  EXPECT_EQ(prob_rows[0].size(), 19u);
  for (size_t i = 1; i < prob_rows.size(); ++i) {
    EXPECT_EQ(prob_rows[i][0], rows[i][0]);
    double sum = 0, best = -1;
    int argmax = 0;
    for (int c = 0; c < 18; ++c) {
      double p = 0;
      ASSERT_TRUE(absl::SimpleAtod(prob_rows[i][c + 1], &p));
      sum += p;
      if (p > best) best = p, argmax = c;
    }
    EXPECT_NEAR(sum, 1.0, 1e-3);
    EXPECT_EQ(std::to_string(argmax), rows[i][1]);
  }
  // Each fold model predicted every image once, on the worker that trained it.
  EXPECT_EQ(QueryNumber(cluster.db_path(), "SELECT COUNT(*) FROM v_eval_predictions"), 2.0 * kEvalPeople * 7);
  EXPECT_EQ(QueryNumber(cluster.db_path(), "SELECT COUNT(*) FROM prediction_jobs pj JOIN jobs j ON "
                                           "j.id = pj.train_job_id WHERE pj.state = 'done' AND pj.worker_id = j.worker_id"),
            2);
}

}  // namespace
}  // namespace foldstack::testing
