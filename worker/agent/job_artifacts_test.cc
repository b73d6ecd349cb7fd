// A job's artifacts against a coordinator in this process (real gRPC on loopback, a real SQLite file
// and artifacts folder): a checkpoint kept by one attempt is what a later attempt on another worker's
// empty disk resumes from, and a prediction job fetches a best checkpoint its disk does not have.
#include "worker/agent/job_artifacts.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"
#include "tests/testing/in_process_coordinator.h"

namespace foldstack::worker {
namespace {

using foldstack::testing::FreshTestDir;
using foldstack::testing::InProcessCoordinator;
using foldstack::testing::ReadWholeFile;

class JobArtifactsTest : public ::testing::Test {
 protected:
  JobArtifactsTest()
      : dir_(FreshTestDir(::testing::UnitTest::GetInstance()->current_test_info()->name())),
        coordinator_(dir_ + "/coordinator") {
    coordinator::testing::MakeToySweep(coordinator_.db(), 1, 2);
    job_ = coordinator_.LeaseJob(coordinator_.RegisterWorker());
    job_.set_resume(true);
  }

  // A worker whose work_dir is <dir_>/<name>.
  ArtifactContext Worker(const std::string& name) {
    std::filesystem::create_directories(dir_ + "/" + name);
    return {&coordinator_.stub(), coordinator_.token(), dir_ + "/" + name};
  }

  std::string JobDir(const ArtifactContext& ctx, int attempt) {
    const std::string dir = absl::StrCat(ctx.work_dir, "/job-", job_.job_id(), "-a", attempt);
    std::filesystem::create_directories(dir);
    return dir;
  }

  int64_t StoredId(const std::string& kind) {
    return coordinator::testing::QueryInt(coordinator_.db(),
                                          "SELECT COALESCE(MAX(id), 0) FROM artifacts WHERE kind = '" + kind + "'");
  }

  std::string dir_;
  InProcessCoordinator coordinator_;
  v1::JobSpec job_;
};

TEST_F(JobArtifactsTest, AKeptCheckpointIsResumedFromOnThisDiskOrFetchedOntoAnEmptyOne) {
  const ArtifactContext first = Worker("first");
  const std::string first_dir = JobDir(first, 1);
  const std::string checkpoint = first_dir + "/resume.ckpt";
  std::ofstream(checkpoint, std::ios::binary) << "epoch two state";
  KeepCheckpoint(first, job_, first_dir, {2, checkpoint});
  EXPECT_EQ(nlohmann::json::parse(ReadWholeFile(first_dir + "/checkpoint.json")),
            nlohmann::json({{"epoch", 2}, {"path", checkpoint}}));
  ASSERT_GT(StoredId("resume_checkpoint"), 0);

  v1::JobSpec second = job_;  // leased again, as the coordinator would hand it out
  second.set_attempt(2);
  second.set_resume_artifact_id(StoredId("resume_checkpoint"));
  second.set_resume_epoch(2);
  EXPECT_EQ(ResumeFrom(first, second, JobDir(first, 2)), checkpoint);  // the same disk: no download

  const ArtifactContext fresh = Worker("fresh");
  const std::string fresh_dir = JobDir(fresh, 2);
  const std::string fetched = ResumeFrom(fresh, second, fresh_dir);
  EXPECT_EQ(fetched, fresh_dir + "/resume-from-epoch-2.ckpt");
  EXPECT_EQ(ReadWholeFile(fetched), "epoch two state");

  v1::JobSpec off = second;
  off.set_resume(false);
  EXPECT_EQ(ResumeFrom(fresh, off, fresh_dir), "");
  EXPECT_EQ(ResumeFrom(fresh, job_, JobDir(fresh, 1)), "");  // a first attempt starts afresh
  v1::JobSpec gone = second;
  gone.set_resume_artifact_id(9999);
  EXPECT_EQ(ResumeFrom(Worker("other"), gone, dir_ + "/other"), "");  // unreachable: afresh
}

TEST_F(JobArtifactsTest, WithoutResumeTheCheckpointIsNotUploaded) {
  const ArtifactContext worker = Worker("w");
  const std::string dir = JobDir(worker, 1);
  std::ofstream(dir + "/resume.ckpt") << "state";
  v1::JobSpec off = job_;
  off.set_resume(false);
  KeepCheckpoint(worker, off, dir, {1, dir + "/resume.ckpt"});
  EXPECT_TRUE(std::filesystem::exists(dir + "/checkpoint.json"));
  EXPECT_EQ(StoredId("resume_checkpoint"), 0);
}

TEST_F(JobArtifactsTest, APredictionJobFetchesTheBestCheckpointItsDiskDoesNotHave) {
  const ArtifactContext trainer = Worker("trainer");
  const std::string best = JobDir(trainer, 1) + "/best.safetensors";
  std::ofstream(best, std::ios::binary) << "best weights";
  UploadBest(trainer, job_, best);
  ASSERT_GT(StoredId("best_checkpoint"), 0);

  v1::JobSpec predict;
  predict.set_kind(v1::JOB_KIND_PREDICT);
  predict.mutable_predict()->set_train_job_id(job_.job_id());
  predict.mutable_predict()->set_checkpoint_path(best);
  predict.mutable_predict()->set_checkpoint_artifact_id(StoredId("best_checkpoint"));
  auto local = PredictCheckpoint(trainer, predict);
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(*local, best);

  std::filesystem::remove_all(trainer.work_dir);  // the training worker is gone
  const ArtifactContext other = Worker("other");
  auto fetched = PredictCheckpoint(other, predict);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(*fetched, absl::StrCat(other.work_dir, "/train-job-", job_.job_id(), "/best.safetensors"));
  EXPECT_EQ(ReadWholeFile(*fetched), "best weights");

  predict.mutable_predict()->set_checkpoint_artifact_id(9999);
  std::filesystem::remove_all(other.work_dir);
  auto refused = PredictCheckpoint(Worker("third"), predict);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("is not on this worker"), std::string::npos) << refused.status();
}

}  // namespace
}  // namespace foldstack::worker
