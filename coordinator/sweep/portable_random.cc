#include "coordinator/sweep/portable_random.h"

#include "coordinator/split/portable_rng.h"

#include <cmath>

namespace foldstack::sweep {
namespace {

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr double kTwoPi = 6.283185307179586476925286766559;

}  // namespace

PortableRng::PortableRng(uint64_t seed) {
  split::SplitMix64 expand(seed);
  for (uint64_t& word : state_) word = expand.Next();
}

uint64_t PortableRng::Next() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

double PortableRng::Uniform01() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

double PortableRng::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }

int64_t PortableRng::UniformInt(int64_t lo, int64_t hi) {
  // Unsigned arithmetic keeps hi - lo exact even for the full int64 range.
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(Next());  // the whole 64-bit range
  // Reject the lowest (2^64 mod span) outputs so every residue is equally likely.
  const uint64_t threshold = (0 - span) % span;
  uint64_t r;
  do {
    r = Next();
  } while (r < threshold);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + r % span);
}

double PortableRng::StandardNormal() {
  const double u1 = 1.0 - Uniform01();  // (0, 1]: log stays finite
  const double u2 = Uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

}  // namespace foldstack::sweep
