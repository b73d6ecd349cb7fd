#include "coordinator/managers/trial_library.h"

#include "absl/strings/str_cat.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;
using testing::StoreToyOof;

constexpr int kSamples = 12;

std::vector<float> Uniform(int) { return {0.4f, 0.3f, 0.3f}; }

class TrialLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenFreshDb("trial_library");
    first_ = MakeToySweep(*db_, 2, 2, kSamples);   // trial 0 completes, trial 1 does not
    second_ = MakeToySweep(*db_, 1, 2, kSamples);  // the same split
    other_ = MakeToySweep(*db_, 1, 3, kSamples);   // k = 3: another split
    ASSERT_TRUE(StoreToyOof(*db_, first_.sweep_id, 0, kSamples, 2, Uniform).ok());
    ASSERT_TRUE(StoreToyOof(*db_, second_.sweep_id, 0, kSamples, 2, Uniform).ok());
    ASSERT_TRUE(StoreToyOof(*db_, other_.sweep_id, 0, kSamples, 3, Uniform).ok());
  }

  int64_t Trial(const testing::ToySweep& sweep, int idx) {
    return QueryInt(*db_, absl::StrCat("SELECT id FROM trials WHERE sweep_id = ", sweep.sweep_id, " AND idx = ", idx));
  }

  std::unique_ptr<SqliteDb> db_;
  testing::ToySweep first_, second_, other_;
};

TEST_F(TrialLibraryTest, OneSweepTakesItsCompletedTrials) {
  auto library = ChooseTrialLibrary(*db_, {first_.sweep_id, {}, {}});
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_TRUE(library->single_sweep);
  EXPECT_EQ(library->trial_ids, std::vector<int64_t>{Trial(first_, 0)});
  EXPECT_EQ(library->sweep_ids, std::vector<int64_t>{first_.sweep_id});
  // Named trials of one sweep must be its own, as before.
  library = ChooseTrialLibrary(*db_, {first_.sweep_id, {}, {Trial(second_, 0)}});
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_EQ(LoadLibraryOof(*db_, *library).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TrialLibraryTest, SweepsOnOneSplitPoolTheirCompletedTrials) {
  auto library = ChooseTrialLibrary(*db_, {0, {second_.sweep_id, first_.sweep_id}, {}});
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_FALSE(library->single_sweep);
  EXPECT_EQ(library->split_id, first_.split_id);
  EXPECT_EQ(library->trial_ids, (std::vector<int64_t>{Trial(second_, 0), Trial(first_, 0)}));
  EXPECT_EQ(library->trial_sweeps, (std::vector<int64_t>{second_.sweep_id, first_.sweep_id}));
  EXPECT_EQ(library->sweep_ids, (std::vector<int64_t>{first_.sweep_id, second_.sweep_id}));
  auto oof = LoadLibraryOof(*db_, *library);
  ASSERT_TRUE(oof.ok()) << oof.status();
  EXPECT_EQ(oof->probs.size(), 2u);
  EXPECT_EQ(oof->samples.size(), static_cast<size_t>(kSamples));

  // Trials named from any sweeps, a running one included (its done folds count).
  library = ChooseTrialLibrary(*db_, {0, {}, {Trial(first_, 1), Trial(second_, 0)}});
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_EQ(library->sweep_ids, (std::vector<int64_t>{first_.sweep_id, second_.sweep_id}));
}

TEST_F(TrialLibraryTest, TrialsOnDifferentSplitsAreRefusedInOneLine) {
  auto library = ChooseTrialLibrary(*db_, {0, {first_.sweep_id, second_.sweep_id, other_.sweep_id}, {}});
  EXPECT_EQ(library.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(library.status().message(),
            absl::StrCat("trials are on different splits: trial ", Trial(first_, 0), " (sweep ", first_.sweep_id,
                         ") and 1 more on split ", first_.split_id, " (mask /data/toy, k=2, seed=42), trial ",
                         Trial(other_, 0), " (sweep ", other_.sweep_id, ") on split ", other_.split_id,
                         " (mask /data/toy, k=3, seed=42)"));
  EXPECT_EQ(ChooseTrialLibrary(*db_, {0, {}, {Trial(other_, 0), Trial(first_, 0)}}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TrialLibraryTest, MalformedRequestsAreRefused) {
  auto code = [&](const TrialRequest& r) { return ChooseTrialLibrary(*db_, r).status().code(); };
  EXPECT_EQ(code({first_.sweep_id, {second_.sweep_id}, {}}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, {first_.sweep_id}, {Trial(first_, 0)}}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, {}, {}}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, {first_.sweep_id, first_.sweep_id}, {}}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, {}, {Trial(first_, 0), Trial(first_, 0)}}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, {first_.sweep_id, 999}, {}}), absl::StatusCode::kNotFound);
  EXPECT_EQ(code({0, {}, {Trial(first_, 0), 999}}), absl::StatusCode::kNotFound);
  auto empty = MakeToySweep(*db_, 1, 2, kSamples);  // nothing done yet
  EXPECT_EQ(code({0, {first_.sweep_id, empty.sweep_id}, {}}), absl::StatusCode::kFailedPrecondition);
}

TEST(CheckOneSplitTest, NamesLabelVersionGroupingAndStratification) {
  TrialSplit a{3, 1, 1, "mask", "/data/mask", 1, 5, 1, "person", true};
  TrialSplit b{9, 2, 2, "mask", "/data/mask", 0, 3, 1, "", false};
  EXPECT_TRUE(CheckOneSplit({a, a}).ok());
  EXPECT_TRUE(CheckOneSplit({}).ok());
  absl::Status refused = CheckOneSplit({a, b});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "trials are on different splits: trial 3 (sweep 1) on split 1 (mask /data/mask labels v1, k=5, seed=1, "
            "group_by person, stratified), trial 9 (sweep 2) on split 2 (mask /data/mask, k=3, seed=1)");
  EXPECT_EQ(SweepsLabel({4}), "sweep 4");
  EXPECT_EQ(SweepsLabel({3, 4}), "sweeps 3,4");
}

}  // namespace
}  // namespace foldstack::coordinator
