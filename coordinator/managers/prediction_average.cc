#include "coordinator/managers/prediction_average.h"

#include <cmath>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace foldstack::coordinator {

absl::StatusOr<std::vector<float>> AverageMemberProbs(const std::vector<FoldModelProbs>& models, int64_t images,
                                                      int classes) {
  if (models.empty()) return absl::InvalidArgumentError("no fold models to average");
  const size_t size = static_cast<size_t>(images) * classes;
  struct Member {
    double weight = 0;
    int folds = 0;
    std::vector<double> sum;
  };
  std::map<int64_t, Member> members;
  for (const FoldModelProbs& model : models) {
    if (model.probs.size() != size) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", model.trial_id, ": ", model.probs.size(),
                                                     " probabilities, expected ", images, " x ", classes));
    }
    if (!(model.weight > 0) || !std::isfinite(model.weight)) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", model.trial_id, ": weight ", model.weight,
                                                     ", expected a positive number"));
    }
    Member& member = members[model.trial_id];
    member.weight = model.weight;
    member.sum.resize(size, 0.0);
    ++member.folds;
    for (size_t i = 0; i < size; ++i) member.sum[i] += model.probs[i];
  }
  double total_weight = 0;
  for (const auto& [trial, member] : members) total_weight += member.weight;
  std::vector<double> mixed(size, 0.0);
  for (const auto& [trial, member] : members) {
    const double scale = member.weight / total_weight / member.folds;
    for (size_t i = 0; i < size; ++i) mixed[i] += scale * member.sum[i];
  }
  return std::vector<float>(mixed.begin(), mixed.end());
}

}  // namespace foldstack::coordinator
