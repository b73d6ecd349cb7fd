#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_RANDOM_DRAWS_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_RANDOM_DRAWS_H_

// The random draws of the augmentations, all from one caller-owned engine so a
// sample's augmentation depends only on its seed, never on the thread running it.
// Written out here (not std::uniform_*_distribution) so the bits a seed gives
// do not depend on the standard library's implementation.

#include <random>

namespace foldstack::augment {

// Uniform in [lo, hi) from the top 53 bits of one draw (lo when lo == hi).
double Uniform(std::mt19937_64& rng, double lo, double hi);

// Uniform integer in [lo, hi]; requires lo <= hi.
int UniformInt(std::mt19937_64& rng, int lo, int hi);

// True with `probability`: 0 never, 1 always. Always consumes one draw.
bool Chance(std::mt19937_64& rng, double probability);

// Beta(alpha, alpha) as X / (X + Y) with X, Y ~ Gamma(alpha, 1) (timm draws
// numpy's beta; the distribution is the same, the bits are not). alpha > 0.
double SymmetricBeta(std::mt19937_64& rng, double alpha);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_RANDOM_DRAWS_H_
