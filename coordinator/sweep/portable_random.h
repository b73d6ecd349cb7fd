#ifndef FOLDSTACK_COORDINATOR_SWEEP_PORTABLE_RANDOM_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PORTABLE_RANDOM_H_

// A seeded random source whose output is fixed by this file alone, so a sweep
// seed gives the same trials with any compiler or standard library.
// (std::uniform_real_distribution and friends are implementation-defined and
// differ between libstdc++ and libc++, so they are deliberately not used.)
// The transforms below use only IEEE arithmetic plus std::log/std::sqrt/
// std::cos; sqrt is exact everywhere, log/cos are accurate to the last bit
// on mainstream libms.

#include <cstdint>

namespace foldstack::sweep {

// xoshiro256** (Blackman & Vigna 2018) with portable transforms on top; its
// 256-bit state is expanded from the seed by SplitMix64 (split/portable_rng.h).
class PortableRng {
 public:
  explicit PortableRng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double Uniform01();
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi);
  // Uniform integer in [lo, hi] (both ends included), without modulo bias.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // Standard normal N(0, 1) by Box-Muller (one value per call, the partner
  // value is discarded so each call consumes exactly two Uniform01 draws).
  double StandardNormal();

 private:
  uint64_t state_[4];
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PORTABLE_RANDOM_H_
