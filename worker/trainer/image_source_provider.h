#ifndef FOLDSTACK_WORKER_TRAINER_IMAGE_SOURCE_PROVIDER_H_
#define FOLDSTACK_WORKER_TRAINER_IMAGE_SOURCE_PROVIDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "worker/trainer/image_provider.h"

namespace foldstack::trainer {

// An ImageProvider over data::ImageSource: `kind` is a dataset kind name
// ("mask", "fashion_mnist"), `root` the dataset root; keys are the dataset's
// sample keys. Decode errors always name the key (the mask source names the file).
absl::StatusOr<std::unique_ptr<ImageProvider>> OpenImageSourceProvider(const std::string& kind,
                                                                       const std::string& root);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_IMAGE_SOURCE_PROVIDER_H_
