#include "worker/trainer/input_plan.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "worker/trainer/recipes/sampler.h"

namespace foldstack::trainer {

uint64_t DerivedSeed(uint64_t seed, uint64_t a, uint64_t b) {
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(seed) ^ a) ^ b);
}

std::pair<int64_t, int64_t> ShardOf(int64_t n, int rank, int world_size) {
  return {rank * n / world_size, (rank + 1) * n / world_size};
}

absl::StatusOr<EpochPlan> PlanTrainingEpoch(const std::vector<const JobSample*>& train, const std::string& sampler,
                                            uint64_t seed, int epoch, int batch_size, int rank, int world_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size || batch_size % world_size != 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch_size: expected a multiple of ranks (", world_size,
                                                   "), got ", batch_size));
  }
  std::vector<int> labels;
  labels.reserve(train.size());
  for (const JobSample* sample : train) labels.push_back(sample->label);
  std::mt19937_64 rng(DerivedSeed(seed, static_cast<uint64_t>(epoch)));
  absl::StatusOr<std::vector<int64_t>> order = recipes::EpochOrder(labels, sampler, rng);
  if (!order.ok()) return order.status();

  EpochPlan plan;
  plan.rank_batch_size = batch_size / world_size;
  const int64_t n = static_cast<int64_t>(order->size());
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t size = std::min<int64_t>(batch_size, n - begin);
    if (size < 2 * world_size) break;  // only ever the last batch
    const auto [from, to] = ShardOf(size, rank, world_size);
    for (int64_t i = begin + from; i < begin + to; ++i) {
      const int64_t row = (*order)[i];
      PipelineItem item;
      item.sample = row;
      item.key = train[row]->key;
      item.seed = DerivedSeed(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(i) + 1);
      plan.items.push_back(std::move(item));
    }
    ++plan.global_batches;
  }
  return plan;
}

std::vector<PipelineItem> PlanEvaluation(const std::vector<const JobSample*>& samples, int64_t begin, int64_t end,
                                         bool mirror) {
  std::vector<PipelineItem> items;
  for (int64_t i = begin; i < end; ++i) {
    PipelineItem item;
    item.sample = i;
    item.key = samples[i]->key;
    item.mirror = mirror;
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace foldstack::trainer
