#include "coordinator/managers/curve_sampling.h"

#include <algorithm>

namespace foldstack::coordinator {

std::vector<CurvePoint> SampleCurve(const std::vector<std::optional<double>>& curve, int points) {
  std::vector<CurvePoint> all;
  for (size_t i = 0; i < curve.size(); ++i) {
    if (curve[i].has_value()) all.push_back({static_cast<int>(i + 1), *curve[i]});
  }
  const size_t limit = static_cast<size_t>(std::max(points, 2));
  if (all.size() <= limit) return all;
  std::vector<CurvePoint> sampled;
  sampled.reserve(limit);
  // Index i of `limit` evenly spaced positions from 0 to size-1, both ends included.
  for (size_t i = 0; i < limit; ++i) sampled.push_back(all[i * (all.size() - 1) / (limit - 1)]);
  return sampled;
}

}  // namespace foldstack::coordinator
