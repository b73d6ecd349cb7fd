// A small seeded RNG whose output is identical on every platform and standard
// library (std::shuffle and std::uniform_int_distribution are not), so a fold
// split recorded with a seed can be reproduced anywhere.
#ifndef FOLDSTACK_COORDINATOR_SPLIT_PORTABLE_RNG_H_
#define FOLDSTACK_COORDINATOR_SPLIT_PORTABLE_RNG_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace foldstack::split {

// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, full period.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform integer in [0, bound), bound > 0; unbiased (rejection sampling).
  uint64_t Below(uint64_t bound);

 private:
  uint64_t state_;
};

// Fisher-Yates shuffle driven by `rng`.
template <typename T>
void PortableShuffle(std::vector<T>& items, SplitMix64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(rng.Below(i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace foldstack::split

#endif  // FOLDSTACK_COORDINATOR_SPLIT_PORTABLE_RNG_H_
