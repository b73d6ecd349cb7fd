#ifndef FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_
#define FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/trainer/models/image_classifier.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

// Builds a freshly initialized model by its timm name (e.g. "resnet18"), initialized
// as timm initializes it. Initialization draws from torch's global RNG, so call
// torch::manual_seed first for reproducible weights. An unknown name is refused with
// the closest known names; num_classes must be positive and the drop rates in [0, 1).
absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name,
                                                             const ModelOptions& options);
absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name,
                                                             int num_classes);

// The registry row for `name` (same refusal as CreateModel for unknown names).
absl::StatusOr<ModelInfo> FindModel(const std::string& name);

// Every registered model, sorted by name.
std::vector<ModelInfo> ListModels();
std::vector<std::string> ModelNames();

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODEL_REGISTRY_H_
