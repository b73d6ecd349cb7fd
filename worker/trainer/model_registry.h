#ifndef FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_
#define FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/trainer/models/image_classifier.h"

namespace foldstack::trainer {

// Builds a freshly initialized model by its timm name (e.g. "resnet18") with a
// num_classes-way head. Initialization draws from torch's global RNG, so call
// torch::manual_seed first for reproducible weights. An unknown name is refused
// with the closest known names; num_classes must be positive.
absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name,
                                                             int num_classes);

// All registered timm names, sorted.
std::vector<std::string> ModelNames();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_
