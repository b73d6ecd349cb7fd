// Submitting sweeps with dataset.extra_train: the sets are checked at submit, reach every
// training job's JobSpec, and leave the split (the folds of the main dataset) as it is.
#include "coordinator/submission/sweep_submitter.h"

#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/test_util.h"
#include "data/synth.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

std::string TempDir() { return std::getenv("TEST_TMPDIR"); }

void Synth(const std::string& name, int people, uint64_t seed, int first_id, int min_age) {
  data::SynthOptions options;
  options.out_dir = absl::StrCat(TempDir(), "/", name);
  if (std::filesystem::exists(options.out_dir)) return;
  options.people = people;
  options.seed = seed;
  options.width = options.height = 16;
  options.eval_people = 0;
  options.first_id = first_id;
  options.min_age = min_age;
  ASSERT_TRUE(data::WriteSynthDataset(options).ok());
}

class SweepSubmitterTest : public ::testing::Test {
 protected:
  SweepSubmitterTest()
      : db_(testing::OpenFreshDb("submitter")), workers_(*db_, clock_), jobs_(*db_, clock_), sweeps_(*db_, clock_) {
    Synth("main", 9, 1, 1, 0);
    Synth("old", 3, 2, 1001, 60);
    Synth("same_ids", 2, 3, 1, 60);
    v1::RegisterWorkerRequest request;
    request.set_hostname("test");
    request.set_slots(64);
    request.set_cpu_cores(64);
    worker_ = workers_.RegisterWorker(request)->worker_id();
  }

  absl::StatusOr<v1::SubmitSweepResponse> Submit(const std::string& extra) {
    v1::SubmitSweepRequest request;
    request.set_file_name("sweep.yaml");
    request.set_base_dir(TempDir());
    request.set_yaml(absl::StrCat("method: grid\ndataset: {kind: mask, root: main", extra,
                                  "}\nfolds: {k: 3, seed: 7}\nparameters: {lr: {value: 0.01}}\n"));
    return SweepSubmitter(&sweeps_).Submit(request, "test");
  }

  std::string ErrorOf(const std::string& extra) {
    absl::StatusOr<v1::SubmitSweepResponse> response = Submit(extra);
    EXPECT_FALSE(response.ok()) << extra;
    return std::string(response.status().message());
  }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  WorkerManager workers_;
  JobManager jobs_;
  SweepManager sweeps_;
  std::string worker_;
};

TEST_F(SweepSubmitterTest, ExtraSetsReachTheJobsAndLeaveTheSplitAlone) {
  absl::StatusOr<v1::SubmitSweepResponse> plain = Submit("");
  ASSERT_TRUE(plain.ok()) << plain.status();
  absl::StatusOr<v1::SubmitSweepResponse> extra = Submit(", extra_train: [{root: old, weight: 0.5}]");
  ASSERT_TRUE(extra.ok()) << extra.status();
  EXPECT_EQ(extra->jobs(), 3);
  std::map<int64_t, std::vector<v1::JobSpec>> by_sweep;
  for (int i = 0; i < 6; ++i) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker_);
    absl::StatusOr<v1::LeaseJobResponse> leased = jobs_.LeaseJob(request);
    ASSERT_TRUE(leased.ok() && leased->leased()) << i;
    by_sweep[leased->job().sweep_id()].push_back(leased->job());
  }
  ASSERT_EQ(by_sweep[plain->sweep_id()].size(), 3u);
  ASSERT_EQ(by_sweep[extra->sweep_id()].size(), 3u);
  const int64_t split = by_sweep[plain->sweep_id()][0].split_id();
  for (const v1::JobSpec& job : by_sweep[plain->sweep_id()]) EXPECT_EQ(job.extra_train_size(), 0);
  for (const v1::JobSpec& job : by_sweep[extra->sweep_id()]) {
    EXPECT_EQ(job.split_id(), split);  // the same folds: the extra set is not part of the split
    ASSERT_EQ(job.extra_train_size(), 1);
    EXPECT_EQ(job.extra_train(0).root(), TempDir() + "/old");  // resolved against the sweep's folder
    EXPECT_DOUBLE_EQ(job.extra_train(0).weight(), 0.5);
  }
}

TEST_F(SweepSubmitterTest, BadExtraSetsAreRefusedInOneLine) {
  EXPECT_EQ(ErrorOf(", extra_train: [{root: old}, {root: nope}]"),
            absl::StrCat("sweep.yaml: dataset.extra_train[1].root: nope (", TempDir(), "/nope): no such directory"));
  // Person 000001 is in both sets: trained on while held out, so refused.
  const std::string shared = ErrorOf(", extra_train: [{root: same_ids}]");
  EXPECT_EQ(shared.rfind(absl::StrCat("sweep.yaml: dataset.extra_train[0].root: ", TempDir(), "/same_ids: person 000001 (000001_"),
                         0),
            0u)
      << shared;
  EXPECT_TRUE(absl::EndsWith(shared, " is also in dataset.root (expected other people)")) << shared;
  std::filesystem::create_directories(TempDir() + "/empty");
  EXPECT_EQ(ErrorOf(", extra_train: [{root: empty}]").rfind("sweep.yaml: dataset.extra_train[0].root: dataset root ", 0),
            0u);
  EXPECT_EQ(ErrorOf(", extra_train: [{root: old, weight: 0}]"),
            "sweep.yaml: dataset.extra_train[0].weight: expected a number in (0, 1], got 0");
}

}  // namespace
}  // namespace foldstack::coordinator
