#include "coordinator/sweep/samplers/grid.h"

#include <algorithm>

#include "coordinator/sweep/param_sampling.h"

namespace foldstack::sweep {

absl::StatusOr<std::unique_ptr<GridSampler>> GridSampler::Create(const SearchSpace& space) {
  std::unique_ptr<GridSampler> grid(new GridSampler());
  for (const auto& [name, param] : space) {
    absl::StatusOr<std::vector<nlohmann::json>> values = GridValues(param);
    if (!values.ok()) return values.status();
    grid->names_.push_back(name);
    // Each factor is <= 1e5 (GridValues); saturating keeps the product from overflowing.
    grid->size_ = std::min<int64_t>(grid->size_ * static_cast<int64_t>(values->size()),
                                    kMaxGridPoints + 1);
    grid->values_.push_back(*std::move(values));
  }
  return grid;
}

nlohmann::json GridSampler::Point(int64_t index) const {
  // Mixed-radix digits of index, the last parameter being the least significant.
  nlohmann::json point = nlohmann::json::object();
  int64_t rest = index;
  for (size_t i = names_.size(); i-- > 0;) {
    const int64_t radix = static_cast<int64_t>(values_[i].size());
    point[names_[i]] = values_[i][static_cast<size_t>(rest % radix)];
    rest /= radix;
  }
  return point;
}

absl::StatusOr<std::vector<nlohmann::json>> GridSampler::Ask(const StudyView& study, uint64_t,
                                                             int n) {
  std::vector<nlohmann::json> points;
  const int64_t first = static_cast<int64_t>(study.trials.size());
  for (int64_t index = first; index < first + n && index < std::min(size_, kMaxGridPoints); ++index) {
    points.push_back(Point(index));
  }
  return points;
}

}  // namespace foldstack::sweep
