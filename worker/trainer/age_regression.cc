#include "worker/trainer/age_regression.h"

#include <algorithm>
#include <cmath>

namespace foldstack::trainer {

at::Tensor PredictedAges(const at::Tensor& outputs) { return outputs.reshape({-1}) * kAgeScale + kAgeCenter; }

at::Tensor AgeBinLogProbs(const at::Tensor& ages, double sigma, int middle_start, int old_start) {
  const at::Tensor mu = ages.to(at::kDouble);
  const double scale = sigma * std::sqrt(2.0);
  // Standard normal CDF at the two inner bin edges.
  const at::Tensor low = 0.5 * (1 + at::erf(((middle_start - 0.5) - mu) / scale));
  const at::Tensor high = 0.5 * (1 + at::erf(((old_start - 0.5) - mu) / scale));
  at::Tensor probs = at::stack({low, high - low, 1 - high}, 1).clamp_min(1e-6);
  probs = probs / probs.sum(1, /*keepdim=*/true);
  return probs.log().to(ages.scalar_type());
}

double FitAgeSigma(double squared_error_sum, int64_t count) {
  if (count <= 0) return kMinAgeSigma;
  return std::max(kMinAgeSigma, std::sqrt(squared_error_sum / static_cast<double>(count)));
}

}  // namespace foldstack::trainer
