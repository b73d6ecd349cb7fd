// Stratified group k-fold assignment for cross-validation.
//
// A group (for the mask data: one person) never spans two folds, so a model is
// never validated on photos of someone it trained on. Groups are stratified by
// their label signature so every fold sees the same class mix.
#ifndef FOLDSTACK_COORDINATOR_SPLIT_KFOLD_H_
#define FOLDSTACK_COORDINATOR_SPLIT_KFOLD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::split {

struct KFoldOptions {
  int k = 5;
  uint64_t seed = 0;
  bool group = true;     // false: every sample is its own group
  bool stratify = true;  // false: all groups form one stratum
};

// labels[i] and groups[i] describe sample i (same length). Returns the held-out
// fold (0..k-1) of every sample. Deterministic for a given seed on every
// platform. Errors: k < 2, k > number of groups, labels/groups sizes differ.
absl::StatusOr<std::vector<int>> AssignFolds(const std::vector<int>& labels,
                                             const std::vector<std::string>& groups,
                                             const KFoldOptions& options);

}  // namespace foldstack::split

#endif  // FOLDSTACK_COORDINATOR_SPLIT_KFOLD_H_
