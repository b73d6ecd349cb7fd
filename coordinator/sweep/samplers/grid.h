// method: grid. W&B's grid search: the cartesian product of the parameters' grid values
// (param_sampling.h GridValues), parameters nested in name order with the LAST name varying
// fastest (W&B sorts parameter names and uses itertools.product), each one's values in file
// order. Trial n is the n-th point; the sampler is exhausted after the last. The sweep's count,
// when set, caps the number of trials (the scheduler's budget, not the sampler's).
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GRID_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GRID_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/search_space.h"

namespace foldstack::sweep {

class GridSampler : public Sampler {
 public:
  // Fails when a parameter cannot be enumerated (a continuous distribution).
  static absl::StatusOr<std::unique_ptr<GridSampler>> Create(const SearchSpace& space);

  absl::StatusOr<std::vector<nlohmann::json>> Ask(const StudyView& study, uint64_t seed,
                                                  int n) override;
  // Points in the grid, saturated at kMaxGridPoints + 1.
  int64_t size() const { return size_; }

  static constexpr int64_t kMaxGridPoints = 100000;

 private:
  GridSampler() = default;
  nlohmann::json Point(int64_t index) const;

  std::vector<std::string> names_;
  std::vector<std::vector<nlohmann::json>> values_;
  int64_t size_ = 1;
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_GRID_H_
