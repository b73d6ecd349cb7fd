// A Sampler proposes the parameters of the next trials from the study's history (Optuna's
// Sampler, W&B's search methods). It keeps no state between calls: everything it uses comes from
// the StudyView and the sweep's seed, so the same history and seed always give the same answer,
// and a restarted coordinator continues the same sequence. A sampler may memoise for speed, but
// its answers must not depend on earlier calls.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_SAMPLER_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SAMPLER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/study_view.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

class Sampler {
 public:
  virtual ~Sampler() = default;

  // The swept parameters (name -> canonical JSON value, one entry per parameter of the search
  // space) of up to `n` new trials, numbered study.trials.size(), +1, ...; fewer, possibly none,
  // when the sampler is exhausted (a grid that has been walked). Values are valid for their
  // trainer setting (common::CanonicalSetting).
  virtual absl::StatusOr<std::vector<nlohmann::json>> Ask(const StudyView& study, uint64_t seed,
                                                          int n) = 0;
};

// For samplers that think one trial at a time: Ask(n) asks AskOne n times, each time with the
// trials proposed so far appended to the view as running trials (params set, no results), so a
// model-based sampler sees them as pending, the way it sees trials still training.
class SequentialSampler : public Sampler {
 public:
  absl::StatusOr<std::vector<nlohmann::json>> Ask(const StudyView& study, uint64_t seed,
                                                  int n) final;

 protected:
  // The params of trial number study.trials.size(). NOT_FOUND-free: an exhausted space is
  // signalled by returning std::nullopt.
  virtual absl::StatusOr<std::optional<nlohmann::json>> AskOne(const StudyView& study,
                                                               uint64_t seed) = 0;
};

// A 64-bit seed for trial `index`'s own random draws: SplitMix64 over the sweep seed and index,
// so trial i's draws do not depend on how many were drawn before it.
uint64_t TrialSeed(uint64_t sweep_seed, int64_t index);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SAMPLER_H_
