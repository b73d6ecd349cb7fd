// Which images a training epoch or an evaluation pass reads, in what order,
// with which per-image augmentation seed, and which part a data-parallel rank
// reads. Pure bookkeeping (no pixels), so order, seeds and shards are tested
// on their own.
#ifndef FOLDSTACK_WORKER_TRAINER_INPUT_PLAN_H_
#define FOLDSTACK_WORKER_TRAINER_INPUT_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/trainer/input/batch_pipeline.h"
#include "worker/trainer/job_config.h"

namespace foldstack::trainer {

// A seed derived from `seed` and two counters (SplitMix64 finaliser), so each
// epoch / image / batch gets independent draws that do not depend on which
// thread handles it.
uint64_t DerivedSeed(uint64_t seed, uint64_t a, uint64_t b = 0);

struct EpochPlan {
  // The items this rank reads, in order: every global batch's shard. The
  // pipeline cuts them into batches of `rank_batch_size` (the last may be smaller).
  std::vector<PipelineItem> items;
  int rank_batch_size = 0;
  int64_t global_batches = 0;
};

// One training epoch (1-based) over `train`: the sampler's order (shuffle or
// class_balanced) drawn from DerivedSeed(seed, epoch), cut into global batches
// of `batch_size`; a last global batch with fewer than 2 images per rank is
// dropped (BatchNorm cannot normalise a single image). Rank r of `world_size`
// keeps its ShardRange of each global batch. PipelineItem::sample indexes `train`.
// batch_size must be a multiple of world_size.
absl::StatusOr<EpochPlan> PlanTrainingEpoch(const std::vector<const JobSample*>& train, const std::string& sampler,
                                            uint64_t seed, int epoch, int batch_size, int rank, int world_size);

// Items [begin, end) of `samples` in order for evaluation or prediction, all
// mirrored when `mirror`. PipelineItem::sample indexes `samples`.
std::vector<PipelineItem> PlanEvaluation(const std::vector<const JobSample*>& samples, int64_t begin, int64_t end,
                                         bool mirror);

// Rank r's part of n items: [r*n/W, (r+1)*n/W), so parts differ by at most one.
std::pair<int64_t, int64_t> ShardOf(int64_t n, int rank, int world_size);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_INPUT_PLAN_H_
