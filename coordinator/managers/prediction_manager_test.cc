#include "coordinator/managers/prediction_manager.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;
using v1::JobSpec;

constexpr int64_t kTtl = 30000;
constexpr int kImages = 3;

// An eval layout with kImages photos (their bytes do not matter here).
std::string MakeEvalRoot(const std::string& name) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::create_directories(root + "/eval/images");
  std::ofstream info(root + "/eval/info.csv");
  info << "ImageID,ans\n";
  for (const char* id : {"c.jpg", "a.jpg", "b.jpg"}) {
    info << id << ",0\n";
    std::ofstream(root + "/eval/images/" + id) << "jpeg";
  }
  return root;
}

class PredictionManagerTest : public ::testing::Test {
 protected:
  PredictionManagerTest()
      : db_(OpenFreshDb("predict")), workers_(*db_, clock_, {kTtl, 5000}), jobs_(*db_, clock_, {kTtl, 5000}),
        predictions_(*db_, clock_) {}

  std::string Register(const std::string& host) {
    v1::RegisterWorkerRequest request;
    request.set_hostname(host);
    request.set_slots(8);
    return workers_.RegisterWorker(request).value().worker_id();
  }

  JobSpec Lease(const std::string& worker) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker);
    auto response = jobs_.LeaseJob(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() && response->leased() ? response->job() : JobSpec();
  }

  absl::Status Complete(const JobSpec& job, const std::string& checkpoint = "") {
    v1::CompleteJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_kind(job.kind());
    request.set_checkpoint_path(checkpoint);
    return jobs_.CompleteJob(request);
  }

  // Every eval row's probabilities: row r gets `first` in class 0 and the rest spread evenly.
  v1::PredictionBatch Batch(const JobSpec& job, float first) {
    v1::PredictionBatch batch;
    batch.set_job_id(job.job_id());
    batch.set_lease_id(job.lease_id());
    batch.set_kind(v1::JOB_KIND_PREDICT);
    batch.set_num_classes(3);
    for (int row = 0; row < kImages; ++row) {
      batch.add_sample_ids(row);
      batch.add_probs(first);
      batch.add_probs((1 - first) / 2);
      batch.add_probs((1 - first) / 2);
    }
    return batch;
  }

  v1::SubmitPredictionRequest Request(const std::string& root, std::vector<std::pair<int64_t, double>> members) {
    v1::SubmitPredictionRequest request;
    request.set_eval_root(root);
    for (auto [trial, weight] : members) {
      auto* m = request.add_members();
      m->set_trial_id(trial);
      m->set_weight(weight);
    }
    return request;
  }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  WorkerManager workers_;
  JobManager jobs_;
  PredictionManager predictions_;
};

TEST_F(PredictionManagerTest, RefusesWhatCannotBePredicted) {
  const std::string root = MakeEvalRoot("refuse");
  auto toy = MakeToySweep(*db_, 2, 2);
  const std::string worker = Register("a");
  // Trial 1: both folds done with checkpoints; trial 2: fold 0 done without one, fold 1 running.
  for (int i = 0; i < 3; ++i) {
    JobSpec job = Lease(worker);
    ASSERT_TRUE(Complete(job, job.trial_id() == 1 ? "/ckpt/" + std::to_string(i) : "").ok());
  }
  Lease(worker);
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root, {{2, 1}}), "me").status().message(),
            "trial 2: fold 0 has no checkpoint recorded (trained before v4?)");
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root, {{9, 1}}), "me").status().message(),
            "trial 9: no such trial");
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root, {{1, 0}}), "me").status().message(),
            "predict: trial 1: weight 0, expected a positive number");
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root + "/none", {{1, 1}}), "me").status().message(),
            root + "/none/eval/info.csv: cannot read (expected the eval layout: eval/info.csv)");
  std::ofstream(root + "/eval/info.csv", std::ios::app) << "missing.jpg,0\n";
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root, {{1, 1}}), "me").status().message(),
            root + "/eval/info.csv: row 4: ImageID \"missing.jpg\": no image at " + root + "/eval/images/missing.jpg");
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM prediction_runs"), 0);
  EXPECT_EQ(toy.sweep_id, 1);
}

TEST_F(PredictionManagerTest, RunsOneJobPerFoldModelAndAveragesByWeight) {
  const std::string root = MakeEvalRoot("flow");
  MakeToySweep(*db_, 2, 2);
  const std::string author = Register("author"), other = Register("other");
  for (int i = 0; i < 4; ++i) {
    JobSpec job = Lease(author);
    ASSERT_TRUE(Complete(job, "/work/job-" + std::to_string(job.job_id()) + "/best.safetensors").ok());
  }
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs WHERE checkpoint_path LIKE '/work/job-%'"), 4);

  // Trial 1 named twice: its weights add up to 3.
  auto submitted = predictions_.SubmitPrediction(Request(root, {{1, 2}, {2, 1}, {1, 1}}), "me");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->jobs(), 4);
  EXPECT_EQ(submitted->images(), kImages);
  v1::GetPredictionRequest get;
  get.set_run_id(submitted->run_id());
  auto running = predictions_.GetPrediction(get);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(running->state(), v1::RUN_STATE_RUNNING);
  EXPECT_EQ(running->image_ids_size(), kImages);
  EXPECT_EQ(running->image_ids(0), "c.jpg");
  ASSERT_EQ(running->members_size(), 2);
  EXPECT_EQ(running->members(0).weight(), 3);
  EXPECT_EQ(running->probs_size(), 0);

  // The author is alive: the other worker waits rather than read someone else's checkpoint.
  EXPECT_EQ(Lease(other).job_id(), 0);
  for (int i = 0; i < 4; ++i) {
    JobSpec job = Lease(author);
    ASSERT_EQ(job.kind(), v1::JOB_KIND_PREDICT);
    EXPECT_EQ(job.dataset_root(), root);
    EXPECT_EQ(job.num_classes(), 3);
    EXPECT_EQ(job.predict().checkpoint_path(),
              "/work/job-" + std::to_string(job.predict().train_job_id()) + "/best.safetensors");
    ASSERT_EQ(job.predict().image_keys_size(), kImages);
    EXPECT_EQ(job.predict().image_keys(1), "eval/images/a.jpg");
    EXPECT_TRUE(job.predict().hflip_tta());
    // Not done before every image is in.
    EXPECT_EQ(Complete(job).code(), absl::StatusCode::kFailedPrecondition);
    // Trial 1's folds say 0.2 and 0.6 for class 0 (mean 0.4), trial 2's say 1.0.
    const float first = job.trial_id() == 2 ? 1.0f : job.fold() == 0 ? 0.2f : 0.6f;
    EXPECT_EQ(jobs_.ReportPredictions(Batch(job, first)).value_or(-1), kImages);
    EXPECT_EQ(jobs_.ReportPredictions(Batch(job, first)).value_or(-1), 0);  // a retried batch
    v1::PredictionBatch outside = Batch(job, first);
    outside.set_sample_ids(0, kImages);
    EXPECT_EQ(jobs_.ReportPredictions(outside).status().message(),
              "prediction job " + std::to_string(job.job_id()) + ": row 0: eval row 3 is outside the run's 3 images");
    ASSERT_TRUE(Complete(job).ok());
    ASSERT_TRUE(Complete(job).ok());  // repeated: a no-op
  }
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM v_eval_predictions"), 4 * kImages);
  auto done = predictions_.GetPrediction(get);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::RUN_STATE_DONE);
  EXPECT_EQ(done->jobs_done(), 4);
  ASSERT_EQ(done->probs_size(), kImages * 3);
  // 0.75 * 0.4 + 0.25 * 1.0 in class 0 of every row.
  for (int row = 0; row < kImages; ++row) {
    EXPECT_NEAR(done->probs(row * 3), 0.55, 1e-6);
    EXPECT_NEAR(done->probs(row * 3) + done->probs(row * 3 + 1) + done->probs(row * 3 + 2), 1.0, 1e-6);
  }
}

// An ensemble across sweeps (ensemble select --sweeps) predicts like any other: each member's fold
// models, whichever sweep the member came from.
TEST_F(PredictionManagerTest, MembersFromSeveralSweepsPredictTogether) {
  const std::string root = MakeEvalRoot("across");
  auto first = MakeToySweep(*db_, 1, 2);
  auto second = MakeToySweep(*db_, 1, 2);
  const std::string worker = Register("a");
  for (int i = 0; i < 4; ++i) {
    JobSpec job = Lease(worker);
    ASSERT_TRUE(Complete(job, "/ckpt/" + std::to_string(job.job_id())).ok());
  }
  const int64_t a = QueryInt(*db_, "SELECT id FROM trials WHERE sweep_id = " + std::to_string(first.sweep_id));
  const int64_t b = QueryInt(*db_, "SELECT id FROM trials WHERE sweep_id = " + std::to_string(second.sweep_id));
  auto submitted = predictions_.SubmitPrediction(Request(root, {{a, 0.25}, {b, 0.75}}), "me");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->jobs(), 4);
  std::set<int64_t> trials;
  for (int i = 0; i < 4; ++i) trials.insert(Lease(worker).trial_id());
  EXPECT_EQ(trials, (std::set<int64_t>{a, b}));
}

TEST_F(PredictionManagerTest, AnotherWorkerTakesOverWhenTheAuthorIsGoneAndFailuresEndTheRun) {
  const std::string root = MakeEvalRoot("takeover");
  MakeToySweep(*db_, 1, 2);
  const std::string author = Register("author");
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Complete(Lease(author), "/ckpt").ok());
  auto submitted = predictions_.SubmitPrediction(Request(root, {{1, 1}}), "me");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  clock_.AdvanceMs(kTtl + 1);  // the author went silent
  const std::string other = Register("other");
  JobSpec job = Lease(other);
  ASSERT_EQ(job.kind(), v1::JOB_KIND_PREDICT);
  // Heartbeats keep it, and name prediction jobs apart from training jobs.
  v1::HeartbeatRequest beat;
  beat.set_worker_id(other);
  beat.add_running_prediction_job_ids(job.job_id());
  beat.add_running_job_ids(job.job_id());  // the training job with that id is done: revoked
  auto response = jobs_.Heartbeat(beat);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->revoked_prediction_job_ids_size(), 0);
  EXPECT_EQ(response->revoked_job_ids_size(), 1);

  v1::FailJobRequest fail;
  fail.set_job_id(job.job_id());
  fail.set_lease_id(job.lease_id());
  fail.set_kind(v1::JOB_KIND_PREDICT);
  fail.set_reason("cannot read /ckpt");
  fail.set_retryable(false);
  ASSERT_TRUE(jobs_.FailJob(fail).ok());
  v1::GetPredictionRequest get;
  get.set_run_id(submitted->run_id());
  // The run fails once the other job ends too (here: by an expired lease after its attempts).
  for (int attempt = 0; attempt < PredictionManager::kMaxAttempts; ++attempt) {
    ASSERT_NE(Lease(other).job_id(), 0);
    clock_.AdvanceMs(kTtl + 1);
    ASSERT_TRUE(jobs_.ExpireLeases().ok());
  }
  auto failed = predictions_.GetPrediction(get);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->state(), v1::RUN_STATE_FAILED);
  EXPECT_EQ(failed->jobs_failed(), 2);
  EXPECT_EQ(failed->error(), "cannot read /ckpt; attempt 1 of 3");
}

// A composite member on the eval set: an 18-class trial with its age head replaced by an age
// trial's; the age trial's prediction jobs report 3 values a row, the product comes back as 18.
TEST_F(PredictionManagerTest, CompositeMembersMultiplyTheirTrialsHeads) {
  const std::string root = MakeEvalRoot("composite");
  auto sweep = testing::MakeMaskSweep(*db_, {R"({"lr": 0.1})", R"({"lr": 0.2, "task": "age"})"}, 2, 36);
  const std::string worker = Register("a");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Complete(Lease(worker), "/ckpt").ok());
  const int64_t base = QueryInt(*db_, "SELECT MIN(id) FROM trials WHERE sweep_id = " + std::to_string(sweep.sweep_id));
  const int64_t age = base + 1;

  // The age trial alone is refused: it predicts one head.
  EXPECT_EQ(predictions_.SubmitPrediction(Request(root, {{age, 1}}), "me").status().message(),
            absl::StrCat("predict: trial ", age, " predicts one head (task age); name it in a composite, e.g. "
                         "--composite base=TRIAL,age=", age));
  v1::SubmitPredictionRequest bad = Request(root, {});
  bad.add_members()->set_composite(absl::StrCat("base=", age, ",age=", base));
  bad.mutable_members(0)->set_weight(1);
  EXPECT_NE(predictions_.SubmitPrediction(bad, "me").status().message().find("predicts one head"), std::string::npos);

  v1::SubmitPredictionRequest request = Request(root, {});
  request.add_members()->set_composite(absl::StrCat("base=", base, ",age=", age));
  request.mutable_members(0)->set_weight(1);
  auto submitted = predictions_.SubmitPrediction(request, "me");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->jobs(), 4);
  for (int i = 0; i < 4; ++i) {
    JobSpec job = Lease(worker);
    ASSERT_EQ(job.kind(), v1::JOB_KIND_PREDICT);
    const bool head = job.trial_id() == age;
    v1::PredictionBatch batch;
    batch.set_job_id(job.job_id());
    batch.set_lease_id(job.lease_id());
    batch.set_kind(v1::JOB_KIND_PREDICT);
    batch.set_num_classes(head ? 3 : 18);
    for (int row = 0; row < kImages; ++row) {
      batch.add_sample_ids(row);
      // Base: uniform over 18; age trial: (0.1, 0.7, 0.2) in fold 0 and (0.3, 0.5, 0.2) in fold 1.
      const std::vector<float> probs = !head ? std::vector<float>(18, 1.0f / 18)
                                       : job.fold() == 0 ? std::vector<float>{0.1f, 0.7f, 0.2f}
                                                         : std::vector<float>{0.3f, 0.5f, 0.2f};
      for (float p : probs) batch.add_probs(p);
    }
    ASSERT_EQ(jobs_.ReportPredictions(batch).value_or(-1), kImages) << job.trial_id();
    ASSERT_TRUE(Complete(job).ok());
  }
  v1::GetPredictionRequest get;
  get.set_run_id(submitted->run_id());
  auto done = predictions_.GetPrediction(get);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::RUN_STATE_DONE);
  ASSERT_EQ(done->members_size(), 1);
  EXPECT_EQ(done->members(0).composite(), absl::StrCat("base=", base, ",age=", age));
  ASSERT_EQ(done->probs_size(), kImages * 18);
  // Class 6m + 3g + a = 1/3 (mask) * 1/2 (gender) * mean age head (0.2, 0.6, 0.2)[a].
  const float age_mean[3] = {0.2f, 0.6f, 0.2f};
  for (int c = 0; c < 18; ++c) EXPECT_NEAR(done->probs(c), age_mean[c % 3] / 6, 1e-6) << c;
}

}  // namespace
}  // namespace foldstack::coordinator
