// StudyViews made by hand for the pruner tests.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_TEST_STUDY_H_
#define FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_TEST_STUDY_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "coordinator/sweep/study_view.h"

namespace foldstack::sweep::testing {

using Curve = std::vector<std::optional<double>>;

inline JobView MakeJob(JobState state, Curve curve, std::optional<double> value = std::nullopt) {
  JobView job;
  job.state = state;
  job.curve = std::move(curve);
  job.value = value;
  return job;
}
inline JobView Done(Curve curve) { return MakeJob(JobState::kDone, std::move(curve)); }
inline JobView Running(Curve curve) { return MakeJob(JobState::kRunning, std::move(curve)); }
inline JobView Queued() { return MakeJob(JobState::kQueued, {}); }
// A done job whose value (the objective at its best epoch) is `value`.
inline JobView DoneValue(double value) { return MakeJob(JobState::kDone, {value}, value); }

// Trial `id` (index id) with jobs[f] on fold f.
inline TrialView MakeTrial(int64_t id, std::vector<JobView> jobs) {
  TrialView trial;
  trial.id = id;
  trial.index = static_cast<int>(id);
  for (size_t f = 0; f < jobs.size(); ++f) jobs[f].fold = static_cast<int>(f);
  trial.jobs = std::move(jobs);
  return trial;
}

inline StudyView MakeStudy(std::vector<TrialView> trials, Goal goal = Goal::kMaximize) {
  StudyView study;
  study.objective.goal = goal;
  study.k = trials.empty() ? 1 : static_cast<int>(trials.front().jobs.size());
  study.trials = std::move(trials);
  return study;
}

}  // namespace foldstack::sweep::testing

#endif  // FOLDSTACK_COORDINATOR_SWEEP_PRUNERS_TEST_STUDY_H_
