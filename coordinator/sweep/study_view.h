// A read-only snapshot of one sweep's history, the only thing samplers and pruners see (Optuna's
// lesson: samplers read the study instead of keeping state, so a restarted coordinator, which
// rebuilds this view from the database, continues exactly where it stopped).
#ifndef FOLDSTACK_COORDINATOR_SWEEP_STUDY_VIEW_H_
#define FOLDSTACK_COORDINATOR_SWEEP_STUDY_VIEW_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "coordinator/sweep/objective.h"
#include "coordinator/sweep/states.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// One trial's job on one fold.
struct JobView {
  int fold = 0;
  JobState state = JobState::kQueued;
  // curve[e - 1]: the objective metric after epoch e (epochs count from 1); nullopt for an epoch
  // that reported NaN. Its size is the last epoch reported.
  std::vector<std::optional<double>> curve;
  // Done jobs: the objective at the trainer's best epoch. Pruned jobs: the best value they reached.
  std::optional<double> value;

  int LastEpoch() const { return static_cast<int>(curve.size()); }
  // The objective after `epoch` (1-based), when reported and finite.
  std::optional<double> At(int epoch) const {
    if (epoch < 1 || epoch > LastEpoch()) return std::nullopt;
    return curve[static_cast<size_t>(epoch - 1)];
  }
};

struct TrialView {
  int64_t id = 0;
  int index = 0;  // 0, 1, 2, ... in creation order
  TrialState state = TrialState::kRunning;
  // The trial's complete trainer settings (name -> canonical JSON). Samplers read the swept
  // parameters by name.
  nlohmann::json params = nlohmann::json::object();
  // jobs[f] is the job on fold f (every trial has one job per fold).
  std::vector<JobView> jobs;
  // The mean of `value` over done folds; nullopt while no fold is done.
  std::optional<double> value;

  int FoldsDone() const {
    int n = 0;
    for (const JobView& job : jobs) n += job.state == JobState::kDone ? 1 : 0;
    return n;
  }
};

struct StudyView {
  Objective objective;
  int k = 1;                      // folds per trial
  std::vector<TrialView> trials;  // in index order

  const TrialView* FindTrial(int64_t trial_id) const {
    for (const TrialView& trial : trials) {
      if (trial.id == trial_id) return &trial;
    }
    return nullptr;
  }
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_STUDY_VIEW_H_
