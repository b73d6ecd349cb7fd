#include "worker/trainer/augment/random_draws.h"

#include <cstdint>

namespace foldstack::augment {

double Uniform(std::mt19937_64& rng, double lo, double hi) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
  return lo + (hi - lo) * unit;
}

int UniformInt(std::mt19937_64& rng, int lo, int hi) {
  const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
  // The modulo bias is below span / 2^64: irrelevant for image sizes.
  return static_cast<int>(lo + static_cast<int64_t>(rng() % span));
}

bool Chance(std::mt19937_64& rng, double probability) { return Uniform(rng, 0, 1) < probability; }

double SymmetricBeta(std::mt19937_64& rng, double alpha) {
  std::gamma_distribution<double> gamma(alpha, 1.0);
  const double x = gamma(rng);
  const double y = gamma(rng);
  // Tiny alphas can underflow both draws to 0; the limit puts all mass on {0, 1}.
  if (x + y <= 0) return Chance(rng, 0.5) ? 1.0 : 0.0;
  return x / (x + y);
}

}  // namespace foldstack::augment
