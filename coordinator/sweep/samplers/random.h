// method: random. Every trial draws its parameters, in name order, from ONE PortableRng seeded
// with the sweep's seed, trial after trial (the draws pinned in trials_test.cc): trial n is the
// same whatever the count. Draws outside the setting's range (only the normal family can stray)
// are redrawn, up to 1000 times. Duplicates are possible and kept, as in W&B. The history's
// results are ignored; only its length matters, so Ask replays the stream up to it.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_RANDOM_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_RANDOM_H_

#include "absl/status/statusor.h"
#include "coordinator/sweep/portable_random.h"
#include "coordinator/sweep/sampler.h"
#include "coordinator/sweep/search_space.h"

namespace foldstack::sweep {

class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(SearchSpace space) : space_(std::move(space)) {}

  absl::StatusOr<std::vector<nlohmann::json>> Ask(const StudyView& study, uint64_t seed,
                                                  int n) override;

 private:
  SearchSpace space_;
};

// One trial's parameters drawn from `rng` (name order, out-of-range draws redrawn). Other
// samplers use it for their random start-up trials.
absl::StatusOr<nlohmann::json> DrawTrial(const SearchSpace& space, PortableRng& rng);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLERS_RANDOM_H_
