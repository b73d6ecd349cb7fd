// The order in which one epoch visits the training rows.
//
//   shuffle:        a uniformly random permutation of 0..n-1 (Fisher-Yates).
//   class_balanced: n draws with replacement where P(row) is proportional to
//                   1 / count(label(row)), as PyTorch's WeightedRandomSampler
//                   with inverse-frequency weights. Drawn as "a class uniformly
//                   among the present classes, then a row uniformly within
//                   it", which is that distribution exactly: (1/K)(1/n_c).
//
// Only the raw 64-bit outputs of the engine are used (never the standard
// library's distributions, whose algorithms differ between implementations),
// so a seed gives the same order on every platform.
#ifndef FOLDSTACK_WORKER_TRAINER_RECIPES_SAMPLER_H_
#define FOLDSTACK_WORKER_TRAINER_RECIPES_SAMPLER_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::recipes {

// Indices into `labels` (any int labels; only equality matters). Advances
// `rng`, so successive calls give successive epochs' orders. Errors: a
// sampler name other than shuffle / class_balanced.
absl::StatusOr<std::vector<int64_t>> EpochOrder(const std::vector<int>& labels,
                                                const std::string& sampler,
                                                std::mt19937_64& rng);

// A uniform integer in [0, n), n >= 1, by rejection (no modulo bias).
uint64_t UniformBelow(uint64_t n, std::mt19937_64& rng);

}  // namespace foldstack::recipes

#endif  // FOLDSTACK_WORKER_TRAINER_RECIPES_SAMPLER_H_
