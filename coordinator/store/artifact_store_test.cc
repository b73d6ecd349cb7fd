#include "coordinator/store/artifact_store.h"

#include <memory>

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

class ArtifactStoreTest : public ::testing::Test {
 protected:
  ArtifactStoreTest() : db_(OpenFreshDb("artifacts")), sweep_(MakeToySweep(*db_, 2, 2)) {}

  std::unique_ptr<Transaction> Txn() {
    auto txn = Transaction::Begin(*db_);
    EXPECT_TRUE(txn.ok()) << txn.status();
    return std::move(*txn);
  }

  // Job `job_id`'s artifact of `kind`, placed where the job sits.
  ArtifactRecord Record(Transaction& txn, int64_t job_id, ArtifactKind kind, const std::string& sha) {
    absl::StatusOr<JobPlace> place = LoadJobPlace(txn, JobTable::kTrain, job_id);
    EXPECT_TRUE(place.ok()) << place.status();
    ArtifactRecord r;
    r.job_id = job_id;
    r.sweep_id = place->sweep_id;
    r.trial_id = place->trial_id;
    r.fold = place->fold;
    r.kind = kind;
    r.name = "best.safetensors";
    r.size = 10;
    r.sha256 = sha;
    r.storage_key = "k/" + std::to_string(job_id) + "-" + sha;
    r.created_ms = 5;
    return r;
  }

  std::unique_ptr<SqliteDb> db_;
  testing::ToySweep sweep_;
};

TEST_F(ArtifactStoreTest, InsertFindLoadAndRefuseTheSameContentTwice) {
  auto txn = Txn();
  const ArtifactRecord record = Record(*txn, 1, ArtifactKind::kBestCheckpoint, "aa");
  absl::StatusOr<int64_t> id = InsertArtifact(*txn, record);
  ASSERT_TRUE(id.ok()) << id.status();
  absl::StatusOr<ArtifactRecord> loaded = LoadArtifact(*txn, *id);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->job_id, 1);
  EXPECT_EQ(loaded->trial_id, record.trial_id);
  EXPECT_EQ(loaded->kind, ArtifactKind::kBestCheckpoint);
  EXPECT_EQ(loaded->storage_key, record.storage_key);
  EXPECT_EQ(InsertArtifact(*txn, record).status().code(), absl::StatusCode::kAlreadyExists);
  auto found = FindArtifact(*txn, JobTable::kTrain, 1, ArtifactKind::kBestCheckpoint, "aa");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_FALSE(FindArtifact(*txn, JobTable::kTrain, 1, ArtifactKind::kLog, "aa")->has_value());
  EXPECT_EQ(LoadArtifact(*txn, 999).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ArtifactStoreTest, LatestAndOthersOfAJob) {
  auto txn = Txn();
  ArtifactRecord first = Record(*txn, 2, ArtifactKind::kResumeCheckpoint, "e1");
  first.epoch = 1;
  ArtifactRecord second = Record(*txn, 2, ArtifactKind::kResumeCheckpoint, "e2");
  second.epoch = 2;
  const int64_t id1 = *InsertArtifact(*txn, first);
  const int64_t id2 = *InsertArtifact(*txn, second);
  auto latest = LatestArtifact(*txn, JobTable::kTrain, 2, ArtifactKind::kResumeCheckpoint);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, id2);
  EXPECT_EQ((*latest)->epoch, 2);
  auto others = OtherArtifacts(*txn, JobTable::kTrain, 2, ArtifactKind::kResumeCheckpoint, id2);
  ASSERT_TRUE(others.ok());
  ASSERT_EQ(others->size(), 1u);
  EXPECT_EQ((*others)[0].id, id1);
  ASSERT_TRUE(DeleteArtifactRows(*txn, *others).ok());
  ASSERT_TRUE(txn->Commit().ok());
  txn.reset();
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM artifacts"), 1);
}

TEST_F(ArtifactStoreTest, ListsBySweepAndTrial) {
  auto txn = Txn();
  for (int64_t job = 1; job <= 4; ++job) ASSERT_TRUE(InsertArtifact(*txn, Record(*txn, job, ArtifactKind::kBestCheckpoint, "s")).ok());
  auto all = ListSweepArtifacts(*txn, sweep_.sweep_id);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  auto trial = ListTrialArtifacts(*txn, (*all)[0].trial_id);
  ASSERT_TRUE(trial.ok());
  ASSERT_EQ(trial->size(), 2u);
  EXPECT_EQ((*trial)[0].fold, 0);
  EXPECT_EQ((*trial)[1].fold, 1);
  EXPECT_TRUE(ListSweepArtifacts(*txn, 99)->empty());
}

TEST_F(ArtifactStoreTest, ResolvesSweepsByIdOrName) {
  auto txn = Txn();
  EXPECT_EQ(*ResolveSweep(*txn, std::to_string(sweep_.sweep_id)), sweep_.sweep_id);
  EXPECT_EQ(*ResolveSweep(*txn, "toy"), sweep_.sweep_id);
  EXPECT_EQ(ResolveSweep(*txn, "nope").status().code(), absl::StatusCode::kNotFound);
  txn.reset();
  MakeToySweep(*db_, 1, 2);
  txn = Txn();
  absl::StatusOr<int64_t> ambiguous = ResolveSweep(*txn, "toy");
  EXPECT_EQ(ambiguous.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ambiguous.status().message().find("give the id"), std::string::npos) << ambiguous.status();
  EXPECT_EQ(RunningTrialIds(*txn, sweep_.sweep_id)->size(), 2u);
}

TEST(ArtifactKindTest, NamesRoundTrip) {
  for (ArtifactKind kind : {ArtifactKind::kBestCheckpoint, ArtifactKind::kResumeCheckpoint, ArtifactKind::kLog}) {
    EXPECT_EQ(ParseArtifactKind(ArtifactKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseArtifactKind("model").has_value());
}

}  // namespace
}  // namespace foldstack::coordinator
