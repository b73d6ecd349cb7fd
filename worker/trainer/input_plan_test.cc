#include "worker/trainer/input_plan.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "worker/trainer/distributed/rank_info.h"

namespace foldstack::trainer {
namespace {

std::vector<JobSample> Samples(int n) {
  std::vector<JobSample> samples;
  for (int i = 0; i < n; ++i) samples.push_back({i + 1, "k" + std::to_string(i), i % 3, 0});
  return samples;
}

std::vector<const JobSample*> Pointers(const std::vector<JobSample>& samples) {
  std::vector<const JobSample*> out;
  for (const JobSample& s : samples) out.push_back(&s);
  return out;
}

std::vector<int64_t> Rows(const EpochPlan& plan) {
  std::vector<int64_t> rows;
  for (const PipelineItem& item : plan.items) rows.push_back(item.sample);
  return rows;
}

TEST(InputPlanTest, EpochsAreSeededPermutationsWithPerImageSeeds) {
  const std::vector<JobSample> samples = Samples(10);
  const auto train = Pointers(samples);
  const EpochPlan a = *PlanTrainingEpoch(train, "shuffle", 7, 1, 4, 0, 1);
  const EpochPlan again = *PlanTrainingEpoch(train, "shuffle", 7, 1, 4, 0, 1);
  const EpochPlan next_epoch = *PlanTrainingEpoch(train, "shuffle", 7, 2, 4, 0, 1);
  EXPECT_EQ(Rows(a), Rows(again));
  EXPECT_NE(Rows(a), Rows(next_epoch));
  // 10 images in batches of 4: 4, 4, 2 (a last batch of 2 is kept).
  EXPECT_EQ(a.items.size(), 10u);
  EXPECT_EQ(a.global_batches, 3);
  const std::vector<int64_t> rows = Rows(a);
  EXPECT_EQ(std::set<int64_t>(rows.begin(), rows.end()).size(), 10u);
  std::set<uint64_t> seeds;
  for (const PipelineItem& item : a.items) {
    seeds.insert(item.seed);
    EXPECT_EQ(item.key, train[item.sample]->key);
  }
  EXPECT_EQ(seeds.size(), 10u);
}

TEST(InputPlanTest, ALastBatchOfOneImageIsDropped) {
  const std::vector<JobSample> samples = Samples(9);
  const EpochPlan plan = *PlanTrainingEpoch(Pointers(samples), "shuffle", 1, 1, 4, 0, 1);
  EXPECT_EQ(plan.items.size(), 8u);
  EXPECT_EQ(plan.global_batches, 2);
}

TEST(InputPlanTest, RanksSplitEveryGlobalBatch) {
  const std::vector<JobSample> samples = Samples(12);
  const auto train = Pointers(samples);
  const EpochPlan whole = *PlanTrainingEpoch(train, "class_balanced", 3, 1, 4, 0, 1);
  const EpochPlan r0 = *PlanTrainingEpoch(train, "class_balanced", 3, 1, 4, 0, 2);
  const EpochPlan r1 = *PlanTrainingEpoch(train, "class_balanced", 3, 1, 4, 1, 2);
  EXPECT_EQ(r0.rank_batch_size, 2);
  ASSERT_EQ(r0.items.size() + r1.items.size(), whole.items.size());
  // Global batch b = rank 0's pair then rank 1's pair, with the same seeds.
  for (size_t b = 0; b < 3; ++b) {
    for (size_t j = 0; j < 2; ++j) {
      EXPECT_EQ(r0.items[2 * b + j].sample, whole.items[4 * b + j].sample);
      EXPECT_EQ(r1.items[2 * b + j].sample, whole.items[4 * b + 2 + j].sample);
      EXPECT_EQ(r1.items[2 * b + j].seed, whole.items[4 * b + 2 + j].seed);
    }
  }
  EXPECT_EQ(PlanTrainingEpoch(train, "shuffle", 3, 1, 5, 0, 2).status().message(),
            "batch_size: expected a multiple of ranks (2), got 5");
}

TEST(InputPlanTest, EvaluationKeepsOrderAndShards) {
  const std::vector<JobSample> samples = Samples(5);
  const auto all = Pointers(samples);
  const auto [begin, end] = distributed::ShardRange(5, 1, 2);
  EXPECT_EQ(begin, 2);
  EXPECT_EQ(end, 5);
  const std::vector<PipelineItem> items = PlanEvaluation(all, begin, end);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].sample, 2);
  EXPECT_EQ(items[2].key, "k4");
  EXPECT_EQ(items[1].key, "k3");
}

TEST(InputPlanTest, GlobalBatchCountMatchesThePlan) {
  EXPECT_EQ(*GlobalBatchesPerEpoch(10, 4, 1), 3);  // 4, 4, 2
  EXPECT_EQ(*GlobalBatchesPerEpoch(9, 4, 1), 2);   // a last batch of 1 is dropped
  EXPECT_EQ(*GlobalBatchesPerEpoch(11, 4, 2), 2);  // 3 left, fewer than 2 per rank
  EXPECT_EQ(*GlobalBatchesPerEpoch(12, 4, 2), 3);
  EXPECT_FALSE(GlobalBatchesPerEpoch(12, 5, 2).ok());
}

TEST(InputPlanTest, DerivedSeedsDiffer) {
  EXPECT_NE(DerivedSeed(0, 1), DerivedSeed(0, 2));
  EXPECT_NE(DerivedSeed(0, 1, 1), DerivedSeed(0, 1, 2));
  EXPECT_NE(DerivedSeed(1, 1), DerivedSeed(2, 1));
  EXPECT_EQ(DerivedSeed(5, 6, 7), DerivedSeed(5, 6, 7));
}

// Extra training sets: the main samples every epoch; of a set of weight w, round(w x n) distinct
// samples an epoch (at least 1), a different seeded draw each epoch, every sample drawn over time.
TEST(InputPlanTest, EpochTrainingSamplesDrawEachExtraSetByItsWeight) {
  const std::vector<JobSample> main = Samples(5), half = Samples(10), all = Samples(3);
  const std::vector<std::vector<const JobSample*>> extra = {Pointers(half), Pointers(all)};
  std::set<const JobSample*> drawn;
  std::set<std::vector<const JobSample*>> draws;
  for (int epoch = 1; epoch <= 20; ++epoch) {
    std::vector<const JobSample*> epoch_samples = EpochTrainingSamples(Pointers(main), extra, {0.5, 1.0}, 3, epoch);
    ASSERT_EQ(epoch_samples.size(), 5u + 5u + 3u) << epoch;
    EXPECT_EQ(std::vector<const JobSample*>(epoch_samples.begin(), epoch_samples.begin() + 5), Pointers(main));
    const std::vector<const JobSample*> from_half(epoch_samples.begin() + 5, epoch_samples.begin() + 10);
    EXPECT_EQ(std::set<const JobSample*>(from_half.begin(), from_half.end()).size(), 5u);  // distinct
    for (const JobSample* s : from_half) EXPECT_TRUE(s >= &half.front() && s <= &half.back());
    EXPECT_EQ(std::vector<const JobSample*>(epoch_samples.begin() + 10, epoch_samples.end()), Pointers(all));
    drawn.insert(from_half.begin(), from_half.end());
    draws.insert(from_half);
    EXPECT_EQ(EpochTrainingSamples(Pointers(main), extra, {0.5, 1.0}, 3, epoch), epoch_samples);  // seeded
  }
  EXPECT_EQ(drawn.size(), 10u);
  EXPECT_GT(draws.size(), 10u);
  EXPECT_EQ(ExtraSamplesPerEpoch(10, 0.01), 1);
  EXPECT_EQ(ExtraSamplesPerEpoch(10, 0.25), 3);  // llround(2.5)
  EXPECT_EQ(ExtraSamplesPerEpoch(0, 0.5), 0);
  EXPECT_EQ(EpochTrainingSamples(Pointers(main), {}, {}, 3, 1), Pointers(main));
}

}  // namespace
}  // namespace foldstack::trainer
