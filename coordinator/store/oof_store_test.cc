#include "coordinator/store/oof_store.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;
using testing::StoreToyOof;

constexpr int kSamples = 12;

int64_t TrialId(SqliteDb& db, int64_t sweep_id, int idx) {
  return QueryInt(db, "SELECT id FROM trials WHERE sweep_id = " + std::to_string(sweep_id) +
                          " AND idx = " + std::to_string(idx));
}

// Probability 1 on class `cls` of 3.
std::vector<float> OneHot(int cls) {
  std::vector<float> row(3, 0.0f);
  row[cls] = 1.0f;
  return row;
}

TEST(OofStoreTest, TrialSplitsDescribeWhereEachTrialRan) {
  auto db = OpenFreshDb("oof_trial_splits");
  auto two = MakeToySweep(*db, 1, 2, kSamples);
  auto three = MakeToySweep(*db, 1, 3, kSamples);
  const int64_t a = TrialId(*db, two.sweep_id, 0), b = TrialId(*db, three.sweep_id, 0);
  auto splits = LoadTrialSplits(*db, {b, a});
  ASSERT_TRUE(splits.ok()) << splits.status();
  ASSERT_EQ(splits->size(), 2u);
  const TrialSplit& first = (*splits)[0];
  EXPECT_EQ(first.trial_id, b);
  EXPECT_EQ(first.sweep_id, three.sweep_id);
  EXPECT_EQ(first.split_id, three.split_id);
  EXPECT_EQ(first.dataset_kind, "mask");
  EXPECT_EQ(first.dataset_root, "/data/toy");
  EXPECT_EQ(first.label_version, 0);
  EXPECT_EQ(first.k, 3);
  EXPECT_EQ(first.seed, 42);
  EXPECT_EQ((*splits)[1].split_id, two.split_id);
  EXPECT_NE(two.split_id, three.split_id);
  auto unknown = LoadTrialSplits(*db, {a, 999});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("trial 999"), std::string::npos) << unknown.status();
}

TEST(OofStoreTest, SplitOofReadsTrialsOfEverySweepOnTheSplit) {
  auto db = OpenFreshDb("oof_split");
  auto first = MakeToySweep(*db, 1, 2, kSamples);
  auto second = MakeToySweep(*db, 1, 2, kSamples);
  ASSERT_EQ(first.split_id, second.split_id);
  ASSERT_TRUE(StoreToyOof(*db, first.sweep_id, 0, kSamples, 2, [](int i) { return OneHot(i % 3); }).ok());
  ASSERT_TRUE(StoreToyOof(*db, second.sweep_id, 0, kSamples, 2, [](int) { return OneHot(2); }).ok());
  const int64_t a = TrialId(*db, first.sweep_id, 0), b = TrialId(*db, second.sweep_id, 0);

  auto oof = LoadSplitOof(*db, first.split_id, {b, a});
  ASSERT_TRUE(oof.ok()) << oof.status();
  EXPECT_EQ(oof->sweep_id, 0);
  EXPECT_EQ(oof->num_classes, 3);
  ASSERT_EQ(oof->samples.size(), static_cast<size_t>(kSamples));
  EXPECT_EQ(oof->samples[5].fold, 1);
  EXPECT_EQ(oof->samples[5].label, 2);
  ASSERT_EQ(oof->probs.size(), 2u);
  EXPECT_EQ(oof->probs[0][3 * 4 + 2], 1.0f);  // b: class 2 everywhere
  EXPECT_EQ(oof->probs[1][3 * 4 + 1], 1.0f);  // a: sample 4 is class 1

  // The one-sweep read still refuses the other sweep's trial.
  auto one = LoadSweepOof(*db, first.sweep_id, {a, b});
  EXPECT_EQ(one.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(one.status().message().find("is not a trial of sweep"), std::string::npos) << one.status();
}

// A head trial's rows have its head's width (task gender: 2), next to a full-task trial's 3.
TEST(OofStoreTest, HeadTrialRowsHaveTheHeadsWidth) {
  auto db = OpenFreshDb("oof_head_width");
  auto sweep = MakeToySweep(*db, 3, 2, kSamples);
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    auto update = (*txn)->Prepare("UPDATE trials SET params_json = '{\"task\": \"gender\"}' WHERE idx >= 1");
    ASSERT_TRUE(update.ok());
    ASSERT_TRUE(update->Run().ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE(StoreToyOof(*db, sweep.sweep_id, 0, kSamples, 2, [](int i) { return OneHot(i % 3); }).ok());
  ASSERT_TRUE(StoreToyOof(*db, sweep.sweep_id, 1, kSamples, 2, [](int i) {
    return std::vector<float>{i % 2 == 0 ? 1.0f : 0.0f, i % 2 == 0 ? 0.0f : 1.0f};
  }).ok());
  const int64_t full = TrialId(*db, sweep.sweep_id, 0), gender = TrialId(*db, sweep.sweep_id, 1);
  auto oof = LoadSweepOof(*db, sweep.sweep_id, {full, gender});
  ASSERT_TRUE(oof.ok()) << oof.status();
  EXPECT_EQ(oof->tasks, (std::vector<std::string>{"", "gender"}));
  EXPECT_EQ(oof->widths, (std::vector<int32_t>{3, 2}));
  ASSERT_EQ(oof->probs[1].size(), static_cast<size_t>(kSamples * 2));
  EXPECT_EQ(oof->probs[1][2 * 3 + 1], 1.0f);  // sample 3: the second gender
  // A row of the dataset's width stored for a head trial is refused, naming it.
  ASSERT_TRUE(StoreToyOof(*db, sweep.sweep_id, 2, kSamples, 2, [](int i) { return OneHot(i % 3); }).ok());
  auto wrong = LoadSweepOof(*db, sweep.sweep_id, {TrialId(*db, sweep.sweep_id, 2)});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("rows of 3 probabilities, expected 2"), std::string::npos) << wrong.status();
}

TEST(OofStoreTest, SplitOofRefusesATrialOfAnotherSplit) {
  auto db = OpenFreshDb("oof_other_split");
  auto two = MakeToySweep(*db, 1, 2, kSamples);
  auto three = MakeToySweep(*db, 1, 3, kSamples);
  const int64_t other = TrialId(*db, three.sweep_id, 0);
  auto oof = LoadSplitOof(*db, two.split_id, {TrialId(*db, two.sweep_id, 0), other});
  EXPECT_EQ(oof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(oof.status().message().find("trial " + std::to_string(other) + " is not on split"), std::string::npos)
      << oof.status();
  EXPECT_EQ(LoadSplitOof(*db, 999, {other}).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace foldstack::coordinator
