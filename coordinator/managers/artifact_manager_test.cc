#include "coordinator/managers/artifact_manager.h"

#include <filesystem>
#include <memory>

#include "common/sha256.h"
#include "coordinator/artifacts/local_dir_storage.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/ensemble_store.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;
using v1::JobSpec;

constexpr int64_t kTtl = 30000;
constexpr int64_t kLimit = 1000;

std::string Sha(const std::string& bytes) {
  common::Sha256 digest;
  digest.Update(bytes);
  return digest.HexDigest();
}

// Gives `bytes` in chunks of at most `piece` bytes; then, when `trailer` is given, a last chunk
// whose header carries it as the sha256.
ChunkSource Pieces(const std::string& bytes, size_t piece = 7, const std::string& trailer = "") {
  auto offset = std::make_shared<size_t>(0);
  auto trailed = std::make_shared<bool>(trailer.empty());
  return [bytes, piece, offset, trailer, trailed](v1::ArtifactChunk* chunk) {
    chunk->Clear();
    if (*offset >= bytes.size()) {
      if (*trailed) return false;
      chunk->mutable_header()->set_sha256(trailer);
      *trailed = true;
      return true;
    }
    chunk->set_data(bytes.substr(*offset, piece));
    *offset += chunk->data().size();
    return true;
  };
}

class ArtifactManagerTest : public ::testing::Test {
 protected:
  ArtifactManagerTest()
      : db_(OpenFreshDb("artifact_manager")),
        root_(std::string(std::getenv("TEST_TMPDIR")) + "/artifacts-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()),
        storage_(*artifacts::LocalDirStorage::Create(root_)),
        workers_(*db_, clock_, {kTtl, 5000}),
        jobs_(*db_, clock_, {kTtl, 5000}),
        artifacts_(*db_, clock_, *storage_, {kLimit, 16}) {
    v1::RegisterWorkerRequest request;
    request.set_hostname("w");
    request.set_slots(16);
    worker_ = workers_.RegisterWorker(request)->worker_id();
  }

  JobSpec Lease() {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker_);
    auto response = jobs_.LeaseJob(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() && response->leased() ? response->job() : JobSpec();
  }

  v1::ArtifactHeader Header(const JobSpec& job, v1::ArtifactKind kind, const std::string& bytes, int epoch = 0) {
    v1::ArtifactHeader h;
    h.set_job_id(job.job_id());
    h.set_lease_id(job.lease_id());
    h.set_kind(kind);
    h.set_file_name(kind == v1::ARTIFACT_KIND_LOG ? "trainer.log" : "best.safetensors");
    h.set_size(static_cast<int64_t>(bytes.size()));
    h.set_sha256(Sha(bytes));
    h.set_epoch(epoch);
    return h;
  }

  absl::StatusOr<v1::UploadArtifactResponse> Upload(const v1::ArtifactHeader& h, const std::string& bytes) {
    return artifacts_.Upload(h, Pieces(bytes));
  }

  absl::StatusOr<std::string> Download(int64_t id) {
    v1::GetArtifactRequest request;
    request.set_artifact_id(id);
    std::string bytes;
    int chunks = 0;
    absl::Status status = artifacts_.Download(request, [&](const v1::ArtifactChunk& chunk) {
      EXPECT_EQ(chunk.has_header(), chunks++ == 0);
      bytes += chunk.data();
      return true;
    });
    if (!status.ok()) return status;
    return bytes;
  }

  absl::Status Complete(const JobSpec& job, double f1) {
    v1::CompleteJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_macro_f1(f1);
    return jobs_.CompleteJob(request);
  }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  std::string root_;
  std::unique_ptr<artifacts::LocalDirStorage> storage_;
  WorkerManager workers_;
  JobManager jobs_;
  ArtifactManager artifacts_;
  std::string worker_;
};

TEST_F(ArtifactManagerTest, RetriedUploadStoresOneCopy) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec job = Lease();
  const std::string bytes = "safetensors bytes of the best epoch";
  auto first = Upload(Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes), bytes);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_stored());
  auto again = Upload(Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes), bytes);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_stored());
  EXPECT_EQ(again->artifact_id(), first->artifact_id());
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts"), 1);
  EXPECT_EQ(testing::CountFilesUnder(root_), 1);
  EXPECT_EQ(*Download(first->artifact_id()), bytes);
  // A client that hashes as it sends gives the sha256 last: the retry is found after the bytes.
  v1::ArtifactHeader streamed = Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes);
  streamed.clear_sha256();
  auto trailed = artifacts_.Upload(streamed, Pieces(bytes, 7, Sha(bytes)));
  ASSERT_TRUE(trailed.ok()) << trailed.status();
  EXPECT_TRUE(trailed->already_stored());
  EXPECT_EQ(trailed->artifact_id(), first->artifact_id());
  EXPECT_EQ(testing::CountFilesUnder(root_), 1);
  auto best = artifacts_.BestCheckpoint(job.job_id());
  ASSERT_TRUE(best.ok() && best->has_value());
  EXPECT_EQ((*best)->sha256, Sha(bytes));
}

TEST_F(ArtifactManagerTest, WrongChecksumOrLengthIsRefusedAndNothingKept) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec job = Lease();
  v1::ArtifactHeader header = Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, "the bytes it claims");
  auto refused = Upload(header, "other bytes of length");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  auto shorter = Upload(header, "the bytes");
  EXPECT_EQ(shorter.status().code(), absl::StatusCode::kInvalidArgument) << shorter.status();
  header.set_sha256("not hex");
  EXPECT_EQ(Upload(header, "the bytes it claims").status().code(), absl::StatusCode::kInvalidArgument);
  header.clear_sha256();  // and none in a last chunk either
  EXPECT_EQ(Upload(header, "the bytes it claims").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(artifacts_.Upload(header, Pieces("the bytes it claims", 7, Sha("other"))).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts"), 0);
  EXPECT_EQ(testing::CountFilesUnder(root_), 0);
}

TEST_F(ArtifactManagerTest, SizeLimitHoldsUpFrontAndWhileStreaming) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec job = Lease();
  const std::string big(kLimit + 1, 'x');
  auto up_front = Upload(Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, big), big);
  ASSERT_EQ(up_front.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(up_front.status().message(),
            "artifact best.safetensors is 1001 B; the coordinator's limit is 1000 B (--max_artifact_mb)");
  v1::ArtifactHeader lying = Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, big);
  lying.set_size(10);
  auto streaming = Upload(lying, big);
  EXPECT_EQ(streaming.status().code(), absl::StatusCode::kInvalidArgument) << streaming.status();
  lying.set_size(kLimit);
  streaming = Upload(lying, big);
  EXPECT_EQ(streaming.status().code(), absl::StatusCode::kResourceExhausted) << streaming.status();
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts"), 0);
  EXPECT_EQ(testing::CountFilesUnder(root_), 0);
}

TEST_F(ArtifactManagerTest, CheckpointsNeedTheLiveLeaseLogsTheLatestOne) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec job = Lease();
  const std::string bytes = "weights";
  v1::ArtifactHeader stale = Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes);
  stale.set_lease_id(job.lease_id() + 1);
  EXPECT_EQ(Upload(stale, bytes).status().code(), absl::StatusCode::kFailedPrecondition);
  v1::FailJobRequest fail;
  fail.set_job_id(job.job_id());
  fail.set_lease_id(job.lease_id());
  fail.set_reason("crashed");
  ASSERT_TRUE(jobs_.FailJob(fail).ok());
  // The lease ended: no checkpoint, but the log of that attempt is taken.
  EXPECT_EQ(Upload(Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes), bytes).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string log = "Traceback: out of memory\n";
  auto stored = Upload(Header(job, v1::ARTIFACT_KIND_LOG, log), log);
  ASSERT_TRUE(stored.ok()) << stored.status();
  v1::ArtifactHeader other_lease = Header(job, v1::ARTIFACT_KIND_LOG, log + "x");
  other_lease.set_lease_id(job.lease_id() + 1);
  EXPECT_EQ(Upload(other_lease, log + "x").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts WHERE kind = 'log'"), 1);
}

TEST_F(ArtifactManagerTest, NewerResumeCheckpointReplacesTheOlderAndReachesTheNextAttempt) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec job = Lease();
  const std::string epoch1 = "epoch one", epoch2 = "epoch two";
  ASSERT_TRUE(Upload(Header(job, v1::ARTIFACT_KIND_RESUME_CHECKPOINT, epoch1, 1), epoch1).ok());
  auto second = Upload(Header(job, v1::ARTIFACT_KIND_RESUME_CHECKPOINT, epoch2, 2), epoch2);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts"), 1);
  EXPECT_EQ(testing::CountFilesUnder(root_), 1);
  auto latest = artifacts_.LatestResumeCheckpoint(job.job_id());
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->epoch, 2);
  // A resume checkpoint without its epoch is refused.
  EXPECT_EQ(Upload(Header(job, v1::ARTIFACT_KIND_RESUME_CHECKPOINT, "x", 0), "x").status().code(),
            absl::StatusCode::kInvalidArgument);

  // The worker is lost; the job's next attempt is told where to resume from.
  clock_.AdvanceMs(kTtl + 1);
  ASSERT_TRUE(jobs_.ExpireLeases().ok());
  JobSpec retry = Lease();
  while (retry.job_id() != 0 && retry.job_id() != job.job_id()) retry = Lease();
  ASSERT_EQ(retry.job_id(), job.job_id());
  EXPECT_EQ(retry.attempt(), 2);
  EXPECT_EQ(retry.resume_artifact_id(), second->artifact_id());
  EXPECT_EQ(retry.resume_epoch(), 2);
  EXPECT_EQ(retry.resume_sha256(), Sha(epoch2));
}

TEST_F(ArtifactManagerTest, ListsBySweepNameAndTrial) {
  MakeToySweep(*db_, 1, 2);
  const JobSpec a = Lease(), b = Lease();
  ASSERT_TRUE(Upload(Header(a, v1::ARTIFACT_KIND_BEST_CHECKPOINT, "aa"), "aa").ok());
  ASSERT_TRUE(Upload(Header(b, v1::ARTIFACT_KIND_BEST_CHECKPOINT, "bbb"), "bbb").ok());
  v1::ListArtifactsRequest request;
  request.set_sweep("toy");
  auto listed = artifacts_.List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->artifacts_size(), 2);
  EXPECT_EQ(listed->total_bytes(), 5);
  EXPECT_EQ(listed->artifacts(0).fold(), a.fold());
  EXPECT_EQ(listed->artifacts(0).kind(), v1::ARTIFACT_KIND_BEST_CHECKPOINT);
  request.Clear();
  request.set_trial_id(a.trial_id());
  EXPECT_EQ(artifacts_.List(request)->artifacts_size(), 2);
  EXPECT_EQ(artifacts_.List(v1::ListArtifactsRequest()).status().code(), absl::StatusCode::kInvalidArgument);
}

// Three done trials ranked 1 (f1 0.9), 2 (0.5), 3 (0.1); trial 3 is in an ensemble.
TEST_F(ArtifactManagerTest, PruneKeepsTheTopAndEnsembleMembers) {
  const auto sweep = MakeToySweep(*db_, 3, 2);
  std::map<int64_t, double> f1 = {{0, 0.9}, {1, 0.5}, {2, 0.1}};
  std::vector<int64_t> trials;
  for (int i = 0; i < 6; ++i) {
    const JobSpec job = Lease();
    ASSERT_NE(job.job_id(), 0);
    const std::string bytes = "weights of job " + std::to_string(job.job_id());
    ASSERT_TRUE(Upload(Header(job, v1::ARTIFACT_KIND_BEST_CHECKPOINT, bytes), bytes).ok());
    if (std::find(trials.begin(), trials.end(), job.trial_id()) == trials.end()) trials.push_back(job.trial_id());
    const size_t rank = std::find(trials.begin(), trials.end(), job.trial_id()) - trials.begin();
    ASSERT_TRUE(Complete(job, f1[static_cast<int64_t>(rank)]).ok());
  }
  ASSERT_EQ(trials.size(), 3u);
  EnsembleRecord ensemble;
  ensemble.sweep_id = sweep.sweep_id;
  ensemble.method = "vote";
  ensemble.metric = "macro_f1";
  ensemble.members = {{trials[2], 1.0}};
  ASSERT_TRUE(InsertEnsemble(*db_, ensemble, 1).ok());

  v1::PruneArtifactsRequest request;
  request.set_sweep(std::to_string(sweep.sweep_id));
  request.set_keep_top(1);
  request.set_dry_run(true);
  auto dry = artifacts_.Prune(request);
  ASSERT_TRUE(dry.ok()) << dry.status();
  ASSERT_EQ(dry->deleted_size(), 2);
  EXPECT_EQ(dry->deleted(0).trial_id(), trials[1]);
  EXPECT_EQ(testing::CountFilesUnder(root_), 6);

  request.set_dry_run(false);
  auto pruned = artifacts_.Prune(request);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->deleted_size(), 2);
  EXPECT_EQ(pruned->bytes_freed(), dry->bytes_freed());
  EXPECT_GT(pruned->bytes_freed(), 0);
  EXPECT_EQ(testing::CountFilesUnder(root_), 4);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts WHERE trial_id = " + std::to_string(trials[1])), 0);
  request.set_keep_top(-1);
  EXPECT_EQ(artifacts_.Prune(request).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foldstack::coordinator
