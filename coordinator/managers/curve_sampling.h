// Downsampling a learning curve for a chart: at most N points, evenly spread over the epochs, the
// first and last epoch always kept (a pruned job's last point is where it stopped).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_CURVE_SAMPLING_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_CURVE_SAMPLING_H_

#include <optional>
#include <vector>

namespace foldstack::coordinator {

struct CurvePoint {
  int epoch = 0;  // 1-based
  double value = 0;
};

// `curve[e - 1]` is epoch e's value (nullopt: not finite, skipped). Returns at most
// max(points, 2) points in epoch order; every epoch when there are few enough.
std::vector<CurvePoint> SampleCurve(const std::vector<std::optional<double>>& curve, int points);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_CURVE_SAMPLING_H_
