#ifndef FOLDSTACK_COMMON_MODEL_NAMES_H_
#define FOLDSTACK_COMMON_MODEL_NAMES_H_

#include <string>
#include <vector>

namespace foldstack::common {

// The timm names the trainer's model registry builds, sorted. The coordinator validates
// sweeps against this list without linking LibTorch; a trainer test keeps it equal to
// the registry (worker/trainer/model_registry_test.cc).
const std::vector<std::string>& KnownModelNames();

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_MODEL_NAMES_H_
