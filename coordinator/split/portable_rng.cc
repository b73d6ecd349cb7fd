#include "coordinator/split/portable_rng.h"

#include "common/splitmix64.h"

namespace foldstack::split {

uint64_t SplitMix64::Next() { return common::SplitMix64Next(state_); }

uint64_t SplitMix64::Below(uint64_t bound) {
  // Reject the top partial block of 2^64 so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return x % bound;
}

}  // namespace foldstack::split
