#include "coordinator/store/ensemble_store.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

int64_t TrialId(SqliteDb& db, int64_t sweep_id, int idx) {
  return QueryInt(db, "SELECT id FROM trials WHERE sweep_id = " + std::to_string(sweep_id) +
                          " AND idx = " + std::to_string(idx));
}

TEST(EnsembleStoreTest, StoresMembersWeightsScoresAndTrace) {
  auto db = OpenFreshDb("ensemble_roundtrip");
  auto toy = MakeToySweep(*db, 3, 2);
  const int64_t t0 = TrialId(*db, toy.sweep_id, 0), t2 = TrialId(*db, toy.sweep_id, 2);
  EnsembleRecord record{toy.sweep_id, "caruana", "macro_f1", 0.81, 0.78,
                        R"({"max_members":50})", R"([{"round":1,"add":3}])",
                        {{t2, 0.75}, {t0, 0.25}}};
  auto id = InsertEnsemble(*db, record, 500);
  ASSERT_TRUE(id.ok()) << id.status();
  auto got = GetEnsemble(*db, *id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->created_ms, 500);
  EXPECT_EQ(got->record.method, "caruana");
  EXPECT_DOUBLE_EQ(got->record.score, 0.81);
  ASSERT_TRUE(got->record.nested_score.has_value());
  EXPECT_DOUBLE_EQ(*got->record.nested_score, 0.78);
  EXPECT_EQ(got->record.trace_json, R"([{"round":1,"add":3}])");
  ASSERT_EQ(got->record.members.size(), 2u);
  EXPECT_EQ(got->record.members[0].trial_id, t0);  // trial id order
  EXPECT_DOUBLE_EQ(got->record.members[0].weight, 0.25);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM v_ensembles WHERE ensemble_id = " +
                              std::to_string(*id)), 2);

  record.method = "vote";
  record.nested_score.reset();
  auto second = InsertEnsemble(*db, record, 600);
  ASSERT_TRUE(second.ok());
  auto listed = ListEnsembles(*db, toy.sweep_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].ensemble_id, *second);  // newest first
  EXPECT_FALSE((*listed)[0].record.nested_score.has_value());
  EXPECT_EQ((*listed)[1].record.members.size(), 2u);
  EXPECT_EQ(GetEnsemble(*db, 999).status().code(), absl::StatusCode::kNotFound);
}

TEST(EnsembleStoreTest, RefusesBadMembersAndStoresNothing) {
  auto db = OpenFreshDb("ensemble_bad");
  auto toy = MakeToySweep(*db, 2, 2);
  auto other = MakeToySweep(*db, 1, 3);  // another split (k = 3)
  const int64_t t0 = TrialId(*db, toy.sweep_id, 0);
  const int64_t foreign = TrialId(*db, other.sweep_id, 0);
  EnsembleRecord base{toy.sweep_id, "caruana", "macro_f1", 0.5, std::nullopt, "{}", "[]", {}};
  EXPECT_EQ(InsertEnsemble(*db, base, 1).status().code(), absl::StatusCode::kInvalidArgument);
  base.members = {{t0, 0.5}, {t0, 0.5}};
  EXPECT_EQ(InsertEnsemble(*db, base, 1).status().code(), absl::StatusCode::kInvalidArgument);
  base.members = {{t0, -1}};
  EXPECT_EQ(InsertEnsemble(*db, base, 1).status().code(), absl::StatusCode::kInvalidArgument);
  base.members = {{t0, 0.5}, {foreign, 0.5}};
  auto wrong_sweep = InsertEnsemble(*db, base, 1);
  EXPECT_EQ(wrong_sweep.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_sweep.status().message().find("is not on the split of sweep"), std::string::npos)
      << wrong_sweep.status();
  base.sweep_id = 999;
  base.members = {{t0, 1}};
  EXPECT_EQ(InsertEnsemble(*db, base, 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM ensembles"), 0);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM ensemble_members"), 0);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM ensemble_sweeps"), 0);
}

TEST(EnsembleStoreTest, AnEnsembleAcrossSweepsOnOneSplitIsListedUnderEach) {
  auto db = OpenFreshDb("ensemble_across");
  auto first = MakeToySweep(*db, 2, 2);
  auto second = MakeToySweep(*db, 2, 2);
  auto third = MakeToySweep(*db, 1, 2);
  ASSERT_EQ(first.split_id, second.split_id);
  const int64_t a = TrialId(*db, first.sweep_id, 1), b = TrialId(*db, second.sweep_id, 0);
  EnsembleRecord record{first.sweep_id, "caruana", "macro_f1", 0.9, 0.85, "{}", "[]", {{b, 0.5}, {a, 0.5}}};
  auto id = InsertEnsemble(*db, record, 700);
  ASSERT_TRUE(id.ok()) << id.status();
  EnsembleRecord own{second.sweep_id, "vote", "macro_f1", 0.7, std::nullopt, "{}", "[]", {{b, 1}}};
  auto own_id = InsertEnsemble(*db, own, 800);
  ASSERT_TRUE(own_id.ok()) << own_id.status();

  auto got = GetEnsemble(*db, *id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record.sweep_id, first.sweep_id);
  EXPECT_EQ(got->record.sweep_ids, (std::vector<int64_t>{first.sweep_id, second.sweep_id}));
  ASSERT_EQ(got->record.members.size(), 2u);
  auto of_second = ListEnsembles(*db, second.sweep_id);
  ASSERT_TRUE(of_second.ok()) << of_second.status();
  ASSERT_EQ(of_second->size(), 2u);
  EXPECT_EQ((*of_second)[0].ensemble_id, *own_id);
  EXPECT_EQ((*of_second)[1].ensemble_id, *id);
  EXPECT_EQ((*of_second)[0].record.sweep_ids, (std::vector<int64_t>{second.sweep_id}));
  auto of_first = ListEnsembles(*db, first.sweep_id);
  ASSERT_TRUE(of_first.ok());
  ASSERT_EQ(of_first->size(), 1u);
  EXPECT_EQ((*of_first)[0].ensemble_id, *id);
  EXPECT_TRUE(ListEnsembles(*db, third.sweep_id)->empty());
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(DISTINCT trial_sweep_id) FROM v_ensembles WHERE ensemble_id = " +
                              std::to_string(*id)), 2);
}

}  // namespace
}  // namespace foldstack::coordinator
