// How a prediction run's probabilities are combined: each member trial's fold models are averaged
// (every fold model saw different training data; none is preferred), then the members' averages
// are mixed by their weights (normalized to sum to 1).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_AVERAGE_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_AVERAGE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::coordinator {

// One fold model's probabilities for every eval image: images x classes, row-major.
struct FoldModelProbs {
  int64_t trial_id = 0;
  double weight = 0;  // the member trial's weight (the same for all its fold models)
  std::vector<float> probs;
};

// sum_m w_m * mean_{folds of m}(probs) / sum_m w_m, images x classes. INVALID_ARGUMENT when a
// model's probs have the wrong size, weights are not positive, or there is no model.
absl::StatusOr<std::vector<float>> AverageMemberProbs(const std::vector<FoldModelProbs>& models, int64_t images,
                                                      int classes);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_AVERAGE_H_
