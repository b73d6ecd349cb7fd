#include "coordinator/sweep/sampler.h"

#include "common/splitmix64.h"

namespace foldstack::sweep {

absl::StatusOr<std::vector<nlohmann::json>> SequentialSampler::Ask(const StudyView& study,
                                                                   uint64_t seed, int n) {
  std::vector<nlohmann::json> asked;
  if (n <= 0) return asked;
  StudyView extended = study;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<std::optional<nlohmann::json>> params = AskOne(extended, seed);
    if (!params.ok()) return params.status();
    if (!params->has_value()) break;
    TrialView pending;
    pending.id = -static_cast<int64_t>(extended.trials.size()) - 1;  // not a stored trial
    pending.index = static_cast<int>(extended.trials.size());
    pending.state = TrialState::kRunning;
    pending.params = **params;
    pending.jobs.resize(static_cast<size_t>(study.k));
    for (int f = 0; f < study.k; ++f) pending.jobs[static_cast<size_t>(f)].fold = f;
    extended.trials.push_back(std::move(pending));
    asked.push_back(**std::move(params));
  }
  return asked;
}

uint64_t TrialSeed(uint64_t sweep_seed, int64_t index) {
  // Mix the seed before the index joins it: XOR-ing raw seeds and indexes would give sweep s's
  // trial i the seed of sweep 0's trial i ^ s.
  uint64_t state = sweep_seed;
  state = common::SplitMix64Next(state) ^ static_cast<uint64_t>(index);
  return common::SplitMix64Next(state);
}

}  // namespace foldstack::sweep
