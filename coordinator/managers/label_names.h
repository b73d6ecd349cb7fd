// Reading and writing class labels as reviewers type them: a class index ("14") or a class name
// ("normal/female/<30" for the mask task, "Sneaker" for Fashion-MNIST), case-insensitive.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_LABEL_NAMES_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_LABEL_NAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::coordinator {

// The class names of a dataset kind ("mask", "fashion_mnist"); "0", "1", ... for others.
std::vector<std::string> ClassNamesFor(const std::string& kind, int32_t num_classes);

// A class index or name. INVALID_ARGUMENT (message without a location prefix):
//   "wear/male/<31": expected a class index 0..17 or a class name like wear/male/<30
absl::StatusOr<int32_t> ParseClassLabel(const std::string& text,
                                        const std::vector<std::string>& names);

// The gender and age a reviewer gives a whole mask-task person: "male/30-59", a full class name
// or index (its mask part is ignored). Returns the class with that gender/age and mask "wear".
absl::StatusOr<int32_t> ParsePersonLabel(const std::string& text);

// "gender/age" of a mask class, e.g. "female/>=60".
std::string PersonLabelName(int32_t mask_class);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_LABEL_NAMES_H_
