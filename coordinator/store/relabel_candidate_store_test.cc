#include "coordinator/store/relabel_candidate_store.h"

#include "coordinator/store/label_store.h"
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

TEST(RelabelCandidateStoreTest, ReplacesOnlyTheSameMethodsRows) {
  auto db = OpenFreshDb("candidates_replace");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s1 = SampleId(*db, toy.dataset_id, 1), s2 = SampleId(*db, toy.dataset_id, 2);
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "fold_vote",
                                       {{s1, "p0", "class", 1, 0, 0.4, R"({"votes":3})"},
                                        {s2, "p1", "class", 2, 0, 0.9, "{}"}},
                                       10).ok());
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "confident_learning",
                                       {{0, "p3", "gender", 0, 3, 0.7, "{}"}}, 11).ok());
  auto listed = ListRelabelCandidates(*db, toy.sweep_id);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].sample_key, "img/2.jpg");  // best score first
  EXPECT_EQ((*listed)[1].sample_key, "");           // the person-level candidate
  EXPECT_EQ((*listed)[1].candidate.person, "p3");
  EXPECT_EQ((*listed)[1].method, "confident_learning");
  EXPECT_EQ((*listed)[2].candidate.evidence_json, R"({"votes":3})");
  EXPECT_EQ((*listed)[2].review_status, "pending");
  EXPECT_EQ((*listed)[2].dataset_id, toy.dataset_id);

  // A re-run of fold_vote replaces its two rows and leaves confident learning's alone.
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "fold_vote",
                                       {{s1, "p0", "class", 1, 2, 0.5, "{}"}}, 20).ok());
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM relabel_candidates WHERE method = 'fold_vote'"), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT suggested_label FROM v_relabel_candidates "
                          "WHERE method = 'fold_vote'"), 2);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM v_relabel_candidates"), 2);
}

TEST(RelabelCandidateStoreTest, RefusesSamplesOfAnotherDatasetAndUnknownSweeps) {
  auto db = OpenFreshDb("candidates_bad");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s1 = SampleId(*db, toy.dataset_id, 1);
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "m", {{s1, "p0", "class", 1, 0, 1, "{}"}}, 1).ok());
  absl::Status bad = ReplaceRelabelCandidates(
      *db, toy.sweep_id, "m", {{s1, "p0", "class", 1, 2, 1, "{}"}, {987654, "p9", "class", 0, 1, 1, "{}"}}, 2);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
  EXPECT_NE(bad.message().find("candidate 1: sample 987654"), std::string::npos) << bad;
  // The failed replacement left the earlier row in place.
  EXPECT_EQ(QueryInt(*db, "SELECT suggested_label FROM relabel_candidates"), 0);
  EXPECT_EQ(ReplaceRelabelCandidates(*db, 999, "m", {}, 3).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ListRelabelCandidates(*db, 999).status().code(), absl::StatusCode::kNotFound);
}

TEST(RelabelCandidateStoreTest, ReviewStatusFollowsLaterDecisionsOnTheTarget) {
  auto db = OpenFreshDb("candidates_status");
  auto toy = MakeToySweep(*db, 1, 2);
  const int64_t s1 = SampleId(*db, toy.dataset_id, 1), s2 = SampleId(*db, toy.dataset_id, 2);
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "m",
                                       {{s1, "p0", "class", 1, 0, 0.9, "{}"},
                                        {s2, "p1", "class", 2, 1, 0.8, "{}"}}, 100).ok());
  auto pending = PendingCandidatesFor(*db, toy.dataset_id, "img/1.jpg");
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].candidate.suggested_label, 0);

  LabelDecisionBatch batch{toy.dataset_id, 0, "fp", "", {{"img/1.jpg", s1, 0, true, ""},
                                                         {"img/2.jpg", s2, 1, false, ""}}};
  ASSERT_TRUE(RecordLabelDecisions(*db, batch, 150).ok());
  auto listed = ListRelabelCandidates(*db, toy.sweep_id);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].review_status, "accepted");
  EXPECT_EQ((*listed)[1].review_status, "rejected");
  EXPECT_TRUE(PendingCandidatesFor(*db, toy.dataset_id, "img/1.jpg")->empty());

  // A later find flags the sample again: a decision made before it does not settle it.
  ASSERT_TRUE(ReplaceRelabelCandidates(*db, toy.sweep_id, "m", {{s1, "p0", "class", 0, 2, 0.9, "{}"}}, 200).ok());
  EXPECT_EQ(ListRelabelCandidates(*db, toy.sweep_id)->at(0).review_status, "pending");
}

}  // namespace
}  // namespace foldstack::coordinator
