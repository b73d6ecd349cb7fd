#include "coordinator/store/label_store.h"

#include "coordinator/store/dataset_lookup.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

int64_t SampleId(SqliteDb& db, int64_t dataset_id, int idx) {
  return QueryInt(db, "SELECT id FROM samples WHERE dataset_id = " + std::to_string(dataset_id) +
                          " AND idx = " + std::to_string(idx));
}

LabelDecisionBatch Batch(int64_t dataset_id, int32_t validated_at,
                         std::vector<LabelDecisionRow> rows) {
  return LabelDecisionBatch{dataset_id, validated_at, "fp-reviewer", "test", std::move(rows)};
}

TEST(LabelStoreTest, WithoutVersionsTheLabelsAreTheOriginal) {
  auto db = OpenFreshDb("labels_none");
  auto toy = MakeToySweep(*db, 1, 2);
  EXPECT_EQ(*LatestLabelVersion(*db, toy.dataset_id), 0);
  auto labels = LoadLabels(*db, toy.dataset_id, 0);
  ASSERT_TRUE(labels.ok()) << labels.status();
  ASSERT_EQ(labels->size(), 12u);
  EXPECT_EQ((*labels)[5].key, "img/5.jpg");
  EXPECT_EQ((*labels)[5].group, "p2");
  EXPECT_EQ((*labels)[5].label, 2);
  EXPECT_EQ(LoadLabels(*db, toy.dataset_id, 1).status().code(), absl::StatusCode::kNotFound);
}

TEST(LabelStoreTest, EachAcceptedBatchIsANewVersionAndTheOriginalStays) {
  auto db = OpenFreshDb("labels_versions");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s4 = SampleId(*db, toy.dataset_id, 4);  // original label 1
  auto first = RecordLabelDecisions(
      *db, Batch(toy.dataset_id, 0, {{"img/4.jpg", s4, 0, true, "looks like class 0"}}), 100);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->label_version, 1);
  EXPECT_TRUE(first->new_version);
  auto second =
      RecordLabelDecisions(*db, Batch(toy.dataset_id, 1, {{"img/4.jpg", s4, 2, true, ""}}), 200);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->label_version, 2);

  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 0))[4].label, 1);
  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 1))[4].label, 0);
  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 2))[4].label, 2);
  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 2))[4].original_label, 1);
  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 2))[3].label, 0);  // untouched sample
  EXPECT_EQ(QueryInt(*db, "SELECT label FROM samples WHERE id = " + std::to_string(s4)), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM v_label_overrides WHERE original_label = 1 "
                          "AND status = 'accepted' AND version_note = 'test'"),
            2);
}

TEST(LabelStoreTest, RejectionsAloneMakeNoVersion) {
  auto db = OpenFreshDb("labels_reject");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s4 = SampleId(*db, toy.dataset_id, 4);
  auto recorded =
      RecordLabelDecisions(*db, Batch(toy.dataset_id, 0, {{"img/4.jpg", s4, 0, false, "no"}}), 100);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_FALSE(recorded->new_version);
  EXPECT_EQ(recorded->label_version, 0);
  EXPECT_EQ(*LatestLabelVersion(*db, toy.dataset_id), 0);
  EXPECT_EQ((*LoadLabels(*db, toy.dataset_id, 0))[4].label, 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM label_overrides WHERE status = 'rejected'"), 1);
}

TEST(LabelStoreTest, StaleOrForeignBatchesWriteNothing) {
  auto db = OpenFreshDb("labels_stale");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s4 = SampleId(*db, toy.dataset_id, 4);
  ASSERT_TRUE(RecordLabelDecisions(*db, Batch(toy.dataset_id, 0, {{"img/4.jpg", s4, 0, true, ""}}), 1).ok());
  auto stale = RecordLabelDecisions(*db, Batch(toy.dataset_id, 0, {{"img/4.jpg", s4, 2, true, ""}}), 2);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted) << stale.status();
  auto foreign = RecordLabelDecisions(
      *db, Batch(toy.dataset_id, 1, {{"img/4.jpg", s4, 2, true, ""}, {"x", 99999, 0, true, ""}}), 3);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument) << foreign.status();
  EXPECT_EQ(*LatestLabelVersion(*db, toy.dataset_id), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM label_overrides"), 1);
}

TEST(LabelStoreTest, LabelledDatasetCarriesTheVersionOverTheSameKeys) {
  auto db = OpenFreshDb("labels_derived");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s4 = SampleId(*db, toy.dataset_id, 4);
  ASSERT_TRUE(RecordLabelDecisions(*db, Batch(toy.dataset_id, 0, {{"img/4.jpg", s4, 0, true, ""}}), 1).ok());
  EXPECT_EQ(*EnsureLabelledDataset(*db, toy.dataset_id, 0, 5), toy.dataset_id);
  auto derived = EnsureLabelledDataset(*db, toy.dataset_id, 1, 5);
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_NE(*derived, toy.dataset_id);
  EXPECT_EQ(*EnsureLabelledDataset(*db, toy.dataset_id, 1, 6), *derived);
  EXPECT_EQ(EnsureLabelledDataset(*db, toy.dataset_id, 2, 6).status().code(),
            absl::StatusCode::kNotFound);
  const std::string d = std::to_string(*derived);
  EXPECT_EQ(QueryInt(*db, "SELECT label FROM samples WHERE dataset_id = " + d + " AND idx = 4"), 0);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM samples WHERE dataset_id = " + d), 12);
  auto info = GetDataset(*db, *derived);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->base_dataset_id, toy.dataset_id);
  EXPECT_EQ(info->label_version, 1);
  // Only the original row is found by root: label versions are reached through it.
  auto by_root = BaseDatasetsWithRoot(*db, "/data/toy");
  ASSERT_TRUE(by_root.ok());
  ASSERT_EQ(by_root->size(), 1u);
  EXPECT_EQ((*by_root)[0].id, toy.dataset_id);
}

}  // namespace
}  // namespace foldstack::coordinator
