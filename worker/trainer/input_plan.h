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

// Global batches of an epoch of `images` training images: the full batches,
// plus the last one if it holds at least 2 images per rank (BatchNorm cannot
// normalise a single image). batch_size must be a multiple of world_size.
absl::StatusOr<int64_t> GlobalBatchesPerEpoch(int64_t images, int batch_size, int world_size);

// One training epoch (1-based) over `train`: the sampler's order (shuffle or
// class_balanced) drawn from DerivedSeed(seed, epoch), cut into the
// GlobalBatchesPerEpoch batches of `batch_size`. Rank r of `world_size` keeps
// its distributed::ShardRange of each global batch. PipelineItem::sample
// indexes `train`.
absl::StatusOr<EpochPlan> PlanTrainingEpoch(const std::vector<const JobSample*>& train, const std::string& sampler,
                                            uint64_t seed, int epoch, int batch_size, int rank, int world_size);

// An epoch's training samples with extra training sets: every one of `main`, then of each
// extra set i the round(weights[i] x size) samples (at least 1) of a draw seeded by (seed, epoch,
// i), so a set of weight w is seen w times as often as the main samples while every epoch has the
// same size (batches per epoch and the schedule do not vary). Weight 1 takes the whole set.
std::vector<const JobSample*> EpochTrainingSamples(const std::vector<const JobSample*>& main,
                                                   const std::vector<std::vector<const JobSample*>>& extra,
                                                   const std::vector<double>& weights, uint64_t seed, int epoch);

// How many samples EpochTrainingSamples draws from an extra set of `size` at `weight`.
int64_t ExtraSamplesPerEpoch(int64_t size, double weight);

// Items [begin, end) of `samples` in order for evaluation or prediction.
// PipelineItem::sample indexes `samples`.
std::vector<PipelineItem> PlanEvaluation(const std::vector<const JobSample*>& samples, int64_t begin,
                                         int64_t end);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_INPUT_PLAN_H_
