#include "worker/trainer/resume_checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(tmp ? tmp : "/tmp") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

JobConfig Job(double lr) {
  JobConfig job;
  job.dataset_kind = "mask";
  job.num_classes = 3;
  job.fold = 1;
  job.params = *ParseTrainParams({{"model", "resnet18"}, {"lr", lr}}, "test");
  job.samples = {{1, "a.jpg", 0, 0}, {2, "b.jpg", 2, 1}};
  return job;
}

ResumeCheckpoint Checkpoint() {
  ResumeCheckpoint c;
  c.identity = JobIdentity(Job(0.01));
  c.epoch = 2;
  c.phase = 1;
  c.phase_done = true;
  c.training_last_epoch = 1;
  c.epochs = {{1, 2.5, 1.25, 0.5, 0.75, 3.0}, {2, 1.5, NAN, 0.25, 1.0 / 3.0, 4.0}};
  c.best_epoch = 1;
  c.best_score = 0.5;
  c.stopping = {1, 0.5, 1};
  c.best_weights = std::string("best\0bytes", 10);
  c.model = {{"fc.weight", torch::randn({3, 4})}, {"bn.num_batches_tracked", torch::tensor(7, torch::kInt64)}};
  c.optimization = "optimizer bytes";
  c.rng = at::detail::getDefaultCPUGenerator().get_state();
  return c;
}

TEST(ResumeCheckpointTest, RoundTripsEveryField) {
  const std::string path = FreshDir("round_trip") + "/resume.ckpt";
  const ResumeCheckpoint written = Checkpoint();
  ASSERT_TRUE(WriteResumeCheckpoint(path, written).ok());
  absl::StatusOr<ResumeCheckpoint> read = ReadResumeCheckpoint(path, JobIdentity(Job(0.01)));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(IdentityMismatch(read->identity, written.identity), "");
  EXPECT_EQ(read->identity.samples_hash, written.identity.samples_hash);
  EXPECT_EQ(read->epoch, 2);
  EXPECT_EQ(read->phase, 1);
  EXPECT_TRUE(read->phase_done);
  EXPECT_EQ(read->training_last_epoch, 1);
  ASSERT_EQ(read->epochs.size(), 2u);
  EXPECT_EQ(read->epochs[1].epoch, 2);
  EXPECT_EQ(read->epochs[1].val_accuracy, 1.0 / 3.0);  // bit for bit
  EXPECT_TRUE(std::isnan(read->epochs[1].val_loss));
  EXPECT_EQ(read->epochs[0].seconds, 3.0);
  EXPECT_EQ(read->best_epoch, 1);
  EXPECT_EQ(read->best_score, 0.5);
  EXPECT_EQ(read->stopping.best_epoch, 1);
  EXPECT_EQ(read->stopping.bad_epochs, 1);
  EXPECT_EQ(read->best_weights, written.best_weights);
  EXPECT_EQ(read->optimization, "optimizer bytes");
  EXPECT_TRUE(torch::equal(read->rng, written.rng));
  ASSERT_EQ(read->model.size(), 2u);
  EXPECT_EQ(read->model[0].first, "fc.weight");
  EXPECT_TRUE(torch::equal(read->model[0].second, written.model[0].second));
  EXPECT_EQ(read->model[1].second.scalar_type(), torch::kInt64);
}

TEST(ResumeCheckpointTest, NoBestYetKeepsMinusInfinity) {
  const std::string path = FreshDir("no_best") + "/resume.ckpt";
  ResumeCheckpoint c = Checkpoint();
  c.best_epoch = 0;
  c.best_score = -INFINITY;
  c.best_weights.clear();
  ASSERT_TRUE(WriteResumeCheckpoint(path, c).ok());
  absl::StatusOr<ResumeCheckpoint> read = ReadResumeCheckpoint(path, c.identity);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->best_score, -INFINITY);
  EXPECT_TRUE(read->best_weights.empty());
}

TEST(ResumeCheckpointTest, RefusesMissingForeignTruncatedAndCorruptFiles) {
  const std::string dir = FreshDir("corrupt");
  const std::string path = dir + "/resume.ckpt";
  const ResumeIdentity id = JobIdentity(Job(0.01));
  EXPECT_EQ(ReadResumeCheckpoint(path, id).status().message(), path + ": cannot open resume checkpoint");

  std::ofstream(path) << "PK\x03\x04 a zip, but not ours";
  EXPECT_EQ(ReadResumeCheckpoint(path, id).status().message(),
            path + ": not a foldstack resume checkpoint (expected the line \"FOLDSTACK-RESUME 1\")");

  ASSERT_TRUE(WriteResumeCheckpoint(path, Checkpoint()).ok());
  std::string bytes = ReadAll(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 100);
  EXPECT_NE(ReadResumeCheckpoint(path, id).status().message().find(path + ": truncated or padded: "),
            std::string::npos);

  bytes[bytes.size() - 50] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_EQ(ReadResumeCheckpoint(path, id).status().message(),
            path + ": corrupt: the payload's checksum does not match");
}

TEST(ResumeCheckpointTest, RefusesACheckpointOfAnotherJobNamingTheDifference) {
  const std::string path = FreshDir("mismatch") + "/resume.ckpt";
  ASSERT_TRUE(WriteResumeCheckpoint(path, Checkpoint()).ok());
  EXPECT_EQ(ReadResumeCheckpoint(path, JobIdentity(Job(0.02))).status().message(),
            path + ": written for a different job: params.lr is 0.02 in this job, 0.01 in the checkpoint");

  JobConfig other_fold = Job(0.01);
  other_fold.fold = 2;
  EXPECT_EQ(ReadResumeCheckpoint(path, JobIdentity(other_fold)).status().message(),
            path + ": written for a different job: fold is 2 in this job, 1 in the checkpoint");

  JobConfig relabelled = Job(0.01);
  relabelled.samples[1].label = 1;
  EXPECT_EQ(ReadResumeCheckpoint(path, JobIdentity(relabelled)).status().message(),
            path + ": written for a different job: the samples (ids, keys, labels or folds) differ from the "
                   "checkpoint's");

  // What may change between attempts: the job's id, out_dir, device, threads and dataset root.
  JobConfig moved = Job(0.01);
  moved.job_id = 99;
  moved.out_dir = "/elsewhere";
  moved.threads = 4;
  moved.dataset_root = "/mnt/other";
  EXPECT_TRUE(ReadResumeCheckpoint(path, JobIdentity(moved)).ok());
}

TEST(ResumeCheckpointTest, WritesAtomicallyAndLeavesNoTemporaryFile) {
  const std::string dir = FreshDir("atomic");
  const std::string path = dir + "/resume.ckpt";
  ResumeCheckpoint c = Checkpoint();
  ASSERT_TRUE(WriteResumeCheckpoint(path, c).ok());
  c.epoch = 3;
  ASSERT_TRUE(WriteResumeCheckpoint(path, c).ok());  // replaces the previous one
  EXPECT_EQ(ReadResumeCheckpoint(path, c.identity)->epoch, 3);
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"resume.ckpt"}));

  // A write that cannot land (the target is a non-empty directory) fails, removes its
  // temporary file and leaves what was there.
  const std::string blocked = dir + "/blocked.ckpt";
  fs::create_directories(blocked + "/inside");
  absl::Status failed = WriteResumeCheckpoint(blocked, c);
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find(blocked), std::string::npos) << failed;
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"resume.ckpt", "blocked.ckpt"}));
  EXPECT_TRUE(fs::is_directory(blocked + "/inside"));

  EXPECT_FALSE(WriteResumeCheckpoint(dir + "/no/such/dir/resume.ckpt", c).ok());
}

TEST(ResumeCheckpointTest, SidecarNamesTheEpochAndTheFile) {
  const std::string dir = FreshDir("sidecar");
  ASSERT_TRUE(WriteResumeSidecar(dir, 4).ok());
  EXPECT_EQ(ReadAll(dir + "/resume.json"), "{\"v\":1,\"epoch\":4,\"file\":\"resume.ckpt\"}\n");
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"resume.json"}));
}

}  // namespace
}  // namespace foldstack::trainer
