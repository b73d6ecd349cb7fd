// The artifact client against a coordinator in this process: the real gRPC service on loopback,
// a real SQLite file and artifacts folder in a temp dir.
#include "worker/agent/artifact_client.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/sha256.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"
#include "proto/rpc_util.h"
#include "tests/testing/in_process_coordinator.h"

namespace foldstack::worker {
namespace {

using foldstack::testing::InProcessCoordinator;
using foldstack::testing::InProcessOptions;
using foldstack::testing::FreshTestDir;
using foldstack::testing::ReadWholeFile;

constexpr int64_t kLimit = 3 << 20;

// A file of `bytes` random bytes.
std::string WriteRandomFile(const std::string& path, size_t bytes, unsigned seed) {
  std::mt19937 gen(seed);
  std::string data(bytes, '\0');
  for (char& c : data) c = static_cast<char>(gen());
  std::ofstream(path, std::ios::binary) << data;
  return data;
}

class ArtifactClientTest : public ::testing::Test {
 protected:
  ArtifactClientTest()
      : dir_(FreshTestDir(::testing::UnitTest::GetInstance()->current_test_info()->name())),
        coordinator_(dir_ + "/coordinator", InProcessOptions{kLimit}) {
    coordinator::testing::MakeToySweep(coordinator_.db(), 1, 2);
    worker_id_ = coordinator_.RegisterWorker();
  }

  v1::JobSpec Lease() { return coordinator_.LeaseJob(worker_id_); }

  ArtifactHeaderFields Best(const v1::JobSpec& job) {
    ArtifactHeaderFields fields;
    fields.job_id = job.job_id();
    fields.job_kind = job.kind();
    fields.lease_id = job.lease_id();
    fields.kind = v1::ARTIFACT_KIND_BEST_CHECKPOINT;
    return fields;
  }

  absl::StatusOr<UploadResult> Upload(const ArtifactHeaderFields& fields, const std::string& path) {
    return UploadArtifact(coordinator_.stub(), coordinator_.token(), fields, path);
  }

  int64_t Rows() { return coordinator::testing::QueryInt(coordinator_.db(), "SELECT COUNT(*) FROM artifacts"); }

  std::string dir_;
  InProcessCoordinator coordinator_;
  std::string worker_id_;
};

TEST_F(ArtifactClientTest, RetriedUploadKeepsOneCopyAndDownloadsByteIdentical) {
  const v1::JobSpec job = Lease();
  const std::string path = dir_ + "/best.safetensors";
  const std::string data = WriteRandomFile(path, (2 << 20) + 123, 1);  // 3 chunks, the last one short
  auto first = Upload(Best(job), path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_stored);
  EXPECT_EQ(first->bytes, static_cast<int64_t>(data.size()));
  auto retried = Upload(Best(job), path);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->already_stored);
  EXPECT_EQ(retried->artifact_id, first->artifact_id);
  EXPECT_EQ(Rows(), 1);
  EXPECT_EQ(coordinator::testing::CountFilesUnder(coordinator_.artifacts_dir()), 1);
  // With the sha256 known up front, the retry is answered before any byte moves.
  ArtifactHeaderFields known = Best(job);
  known.sha256 = first->sha256;
  auto up_front = Upload(known, path);
  ASSERT_TRUE(up_front.ok()) << up_front.status();
  EXPECT_TRUE(up_front->already_stored);
  EXPECT_EQ(up_front->artifact_id, first->artifact_id);
  EXPECT_EQ(first->sha256, *common::Sha256OfFile(path));
  EXPECT_EQ(Rows(), 1);
  EXPECT_EQ(coordinator::testing::CountFilesUnder(coordinator_.artifacts_dir()), 1);

  const std::string out = dir_ + "/fetched/best.safetensors";
  ASSERT_TRUE(DownloadArtifact(coordinator_.stub(), coordinator_.token(), first->artifact_id, out).ok());
  EXPECT_EQ(ReadWholeFile(out), data);
  EXPECT_EQ(coordinator::testing::CountFilesUnder(dir_ + "/fetched"), 1);  // no temp file left
  EXPECT_EQ(DownloadArtifact(coordinator_.stub(), coordinator_.token(), 999, dir_ + "/none").code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ArtifactClientTest, HeaderChecksumThatDoesNotMatchIsRefused) {
  const v1::JobSpec job = Lease();
  const std::string path = dir_ + "/best.safetensors";
  WriteRandomFile(path, 5000, 2);
  ArtifactHeaderFields fields = Best(job);
  fields.sha256 = std::string(64, 'a');
  auto refused = Upload(fields, path);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_NE(refused.status().message().find("sha256"), std::string::npos) << refused.status();
  EXPECT_EQ(Rows(), 0);
  EXPECT_EQ(coordinator::testing::CountFilesUnder(coordinator_.artifacts_dir()), 0);
}

TEST_F(ArtifactClientTest, FileOverTheLimitIsRefusedWithTheLimitNamed) {
  const v1::JobSpec job = Lease();
  const std::string path = dir_ + "/best.safetensors";
  WriteRandomFile(path, kLimit + 1, 3);
  auto refused = Upload(Best(job), path);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_EQ(refused.status().message(),
            "artifact best.safetensors is 3 MB; the coordinator's limit is 3 MB (--max_artifact_mb)");
  EXPECT_EQ(Rows(), 0);
  EXPECT_EQ(coordinator::testing::CountFilesUnder(coordinator_.artifacts_dir()), 0);
}

TEST_F(ArtifactClientTest, UploadWithoutALiveLeaseIsRefused) {
  const v1::JobSpec job = Lease();
  const std::string path = dir_ + "/best.safetensors";
  WriteRandomFile(path, 100, 4);
  ArtifactHeaderFields fields = Best(job);
  fields.lease_id = job.lease_id() + 1;
  EXPECT_EQ(Upload(fields, path).status().code(), absl::StatusCode::kFailedPrecondition);
  fields = Best(job);
  fields.job_id = job.job_id() + 100;  // no such job
  EXPECT_EQ(Upload(fields, path).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Rows(), 0);
}

// A prediction job on a worker without the training worker's files fetches the fold models from
// the artifact store: the writing worker's work_dir is gone.
TEST_F(ArtifactClientTest, PredictionJobFetchesTheCheckpointAfterTheWorkDirIsDeleted) {
  const std::string work_dir = dir_ + "/work";
  std::filesystem::create_directories(work_dir);
  std::map<int64_t, std::string> weights;  // by training job
  for (int fold = 0; fold < 2; ++fold) {
    const v1::JobSpec job = Lease();
    const std::string path = work_dir + "/job-" + std::to_string(job.job_id()) + ".safetensors";
    weights[job.job_id()] = WriteRandomFile(path, 70000 + fold, 10 + fold);
    ASSERT_TRUE(Upload(Best(job), path).ok());
    v1::CompleteJobRequest complete;
    complete.set_job_id(job.job_id());
    complete.set_lease_id(job.lease_id());
    complete.set_macro_f1(0.5);
    complete.set_checkpoint_path(path);
    v1::CompleteJobResponse done;
    auto context = rpc::MakeContext(coordinator_.token());
    ASSERT_TRUE(coordinator_.stub().CompleteJob(context.get(), complete, &done).ok());
  }
  std::filesystem::remove_all(work_dir);

  const std::string eval = dir_ + "/eval_root";
  std::filesystem::create_directories(eval + "/eval/images");
  std::ofstream(eval + "/eval/info.csv") << "ImageID,ans\na.jpg,0\n";
  std::ofstream(eval + "/eval/images/a.jpg") << "jpeg";
  v1::SubmitPredictionRequest submit;
  submit.add_members()->set_trial_id(1);
  submit.mutable_members(0)->set_weight(1);
  submit.set_eval_root(eval);
  v1::SubmitPredictionResponse submitted;
  auto context = rpc::MakeContext(coordinator_.token());
  const grpc::Status status = coordinator_.stub().SubmitPrediction(context.get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (int i = 0; i < 2; ++i) {
    const v1::JobSpec job = Lease();
    ASSERT_EQ(job.kind(), v1::JOB_KIND_PREDICT);
    const v1::PredictSpec& predict = job.predict();
    EXPECT_FALSE(std::filesystem::exists(predict.checkpoint_path()));
    ASSERT_NE(predict.checkpoint_artifact_id(), 0);
    const std::string local = dir_ + "/other-worker/" + std::to_string(predict.train_job_id()) + ".safetensors";
    ASSERT_TRUE(DownloadArtifact(coordinator_.stub(), coordinator_.token(), predict.checkpoint_artifact_id(), local).ok());
    EXPECT_EQ(ReadWholeFile(local), weights[predict.train_job_id()]);
    EXPECT_EQ(*common::Sha256OfFile(local), predict.checkpoint_sha256());
  }
}

}  // namespace
}  // namespace foldstack::worker
