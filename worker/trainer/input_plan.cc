#include "worker/trainer/input_plan.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/splitmix64.h"
#include "worker/trainer/distributed/rank_info.h"
#include "worker/trainer/recipes/sampler.h"

namespace foldstack::trainer {

namespace {

// One SplitMix64 step from `state` (the generator's output for that state).
uint64_t Mix(uint64_t state) { return common::SplitMix64Next(state); }

}  // namespace

uint64_t DerivedSeed(uint64_t seed, uint64_t a, uint64_t b) { return Mix(Mix(Mix(seed) ^ a) ^ b); }

absl::StatusOr<int64_t> GlobalBatchesPerEpoch(int64_t images, int batch_size, int world_size) {
  if (world_size < 1 || batch_size % world_size != 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch_size: expected a multiple of ranks (", world_size,
                                                   "), got ", batch_size));
  }
  return images / batch_size + (images % batch_size >= 2 * world_size ? 1 : 0);
}

absl::StatusOr<EpochPlan> PlanTrainingEpoch(const std::vector<const JobSample*>& train, const std::string& sampler,
                                            uint64_t seed, int epoch, int batch_size, int rank, int world_size) {
  absl::StatusOr<int64_t> batches =
      GlobalBatchesPerEpoch(static_cast<int64_t>(train.size()), batch_size, world_size);
  if (!batches.ok()) return batches.status();
  if (rank < 0 || rank >= world_size) {
    return absl::InvalidArgumentError(absl::StrCat("rank ", rank, " is outside 0..", world_size - 1));
  }
  std::vector<int> labels;
  labels.reserve(train.size());
  for (const JobSample* sample : train) labels.push_back(sample->label);
  std::mt19937_64 rng(DerivedSeed(seed, static_cast<uint64_t>(epoch)));
  absl::StatusOr<std::vector<int64_t>> order = recipes::EpochOrder(labels, sampler, rng);
  if (!order.ok()) return order.status();

  EpochPlan plan;
  plan.rank_batch_size = batch_size / world_size;
  plan.global_batches = *batches;
  const int64_t n = static_cast<int64_t>(order->size());
  for (int64_t b = 0; b < plan.global_batches; ++b) {
    const int64_t begin = b * batch_size;
    const int64_t size = std::min<int64_t>(batch_size, n - begin);
    const auto [from, to] = distributed::ShardRange(size, rank, world_size);
    for (int64_t i = begin + from; i < begin + to; ++i) {
      const int64_t row = (*order)[i];
      PipelineItem item;
      item.sample = row;
      item.key = train[row]->key;
      item.seed = DerivedSeed(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(i) + 1);
      plan.items.push_back(std::move(item));
    }
  }
  return plan;
}

int64_t ExtraSamplesPerEpoch(int64_t size, double weight) {
  if (size == 0) return 0;
  return std::clamp<int64_t>(std::llround(weight * static_cast<double>(size)), 1, size);
}

std::vector<const JobSample*> EpochTrainingSamples(const std::vector<const JobSample*>& main,
                                                   const std::vector<std::vector<const JobSample*>>& extra,
                                                   const std::vector<double>& weights, uint64_t seed, int epoch) {
  std::vector<const JobSample*> out = main;
  for (size_t set = 0; set < extra.size(); ++set) {
    std::vector<const JobSample*> pool = extra[set];
    const int64_t take = ExtraSamplesPerEpoch(static_cast<int64_t>(pool.size()), weights[set]);
    // A partial Fisher-Yates shuffle on raw draws (std distributions differ across libraries).
    uint64_t state = DerivedSeed(seed ^ 0x6578747261ULL, static_cast<uint64_t>(epoch), set);
    for (int64_t i = 0; i < take && take < static_cast<int64_t>(pool.size()); ++i) {
      const uint64_t left = pool.size() - static_cast<uint64_t>(i);
      std::swap(pool[i], pool[i + static_cast<int64_t>(common::SplitMix64Next(state) % left)]);
    }
    out.insert(out.end(), pool.begin(), pool.begin() + take);
  }
  return out;
}

std::vector<PipelineItem> PlanEvaluation(const std::vector<const JobSample*>& samples, int64_t begin,
                                         int64_t end) {
  std::vector<PipelineItem> items;
  for (int64_t i = begin; i < end; ++i) {
    PipelineItem item;
    item.sample = i;
    item.key = samples[i]->key;
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace foldstack::trainer
