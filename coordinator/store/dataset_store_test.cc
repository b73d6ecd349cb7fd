#include "coordinator/store/dataset_store.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeDataset;
using testing::OpenFreshDb;
using testing::QueryInt;
using testing::RoundRobinFolds;

TEST(DatasetStoreTest, SameSamplesFindTheSameDataset) {
  auto db = OpenFreshDb("dataset_same");
  auto first = EnsureDataset(*db, MakeDataset(10, 3), 1);
  auto second = EnsureDataset(*db, MakeDataset(10, 3), 2);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM samples"), 10);
  EXPECT_EQ(QueryInt(*db, "SELECT sample_count FROM datasets"), 10);
}

TEST(DatasetStoreTest, ChangedLabelIsANewDataset) {
  auto db = OpenFreshDb("dataset_changed");
  DatasetRecord changed = MakeDataset(10, 3);
  changed.samples[4].label = 0;
  auto first = EnsureDataset(*db, MakeDataset(10, 3), 1);
  auto second = EnsureDataset(*db, changed, 2);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_NE(DatasetFingerprint(MakeDataset(10, 3)), DatasetFingerprint(changed));
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM samples"), 20);
}

TEST(DatasetStoreTest, DuplicateKeyRollsBackEverything) {
  auto db = OpenFreshDb("dataset_dup");
  DatasetRecord dataset = MakeDataset(10, 3);
  dataset.samples[7].key = dataset.samples[2].key;
  auto id = EnsureDataset(*db, dataset, 1);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(id.status().message().find("sample 7: duplicate key \"img/2.jpg\""),
            std::string::npos) << id.status();
  // Nothing half-written: neither the dataset row nor the first 7 samples.
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM datasets"), 0);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM samples"), 0);
}

TEST(DatasetStoreTest, LabelOutOfRangeIsRefused) {
  auto db = OpenFreshDb("dataset_label");
  DatasetRecord dataset = MakeDataset(4, 3);
  dataset.samples[1].label = 3;
  auto id = EnsureDataset(*db, dataset, 1);
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DatasetStoreTest, SplitIsSharedAndADifferentSeedIsNew) {
  auto db = OpenFreshDb("split_reuse");
  auto dataset_id = EnsureDataset(*db, MakeDataset(10, 3), 1);
  ASSERT_TRUE(dataset_id.ok());
  const SplitParams params{5, 7, "grp", true};
  auto missing = FindSplit(*db, *dataset_id, params);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto first = InsertSplit(*db, *dataset_id, params, RoundRobinFolds(10, 5), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  auto found = FindSplit(*db, *dataset_id, params);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, *first);
  // Inserting the same split again (a racing submission) returns the stored one.
  auto again = InsertSplit(*db, *dataset_id, params, RoundRobinFolds(10, 5), 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);

  SplitParams other_seed = params;
  other_seed.seed = 8;
  auto second = InsertSplit(*db, *dataset_id, other_seed, RoundRobinFolds(10, 5), 3);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM splits"), 2);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM split_folds"), 20);
}

TEST(DatasetStoreTest, SplitValidatesFolds) {
  auto db = OpenFreshDb("split_bad");
  auto dataset_id = EnsureDataset(*db, MakeDataset(6, 3), 1);
  ASSERT_TRUE(dataset_id.ok());
  auto short_folds = InsertSplit(*db, *dataset_id, SplitParams{3, 1, "", false}, {0, 1, 2}, 1);
  EXPECT_EQ(short_folds.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_fold =
      InsertSplit(*db, *dataset_id, SplitParams{3, 1, "", false}, {0, 1, 2, 0, 1, 3}, 1);
  EXPECT_EQ(bad_fold.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM splits"), 0);
}

TEST(DatasetStoreTest, LoadSplitReturnsSamplesInIndexOrder) {
  auto db = OpenFreshDb("split_load");
  auto dataset_id = EnsureDataset(*db, MakeDataset(6, 3), 1);
  ASSERT_TRUE(dataset_id.ok());
  auto split_id =
      InsertSplit(*db, *dataset_id, SplitParams{2, 1, "", false}, RoundRobinFolds(6, 2), 1);
  ASSERT_TRUE(split_id.ok());
  auto split = LoadSplit(*db, *split_id);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->k, 2);
  ASSERT_EQ(split->samples.size(), 6u);
  EXPECT_EQ(split->samples[5].sample_key, "img/5.jpg");
  EXPECT_EQ(split->samples[5].label, 2);
  EXPECT_EQ(split->samples[5].fold, 1);
  EXPECT_EQ(LoadSplit(*db, 999).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace foldstack::coordinator
