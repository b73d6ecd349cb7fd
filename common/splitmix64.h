// SplitMix64 (Steele, Lea & Flood 2014): one step of the generator, shared by
// the coordinator's portable RNG, the trainer's derived seeds and the
// augmentations' noise stream, so all of them mix bits the same way.
#ifndef FOLDSTACK_COMMON_SPLITMIX64_H_
#define FOLDSTACK_COMMON_SPLITMIX64_H_

#include <cstdint>

namespace foldstack::common {

// Advances `state` by the golden-ratio increment and returns its finalised value.
inline uint64_t SplitMix64Next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_SPLITMIX64_H_
