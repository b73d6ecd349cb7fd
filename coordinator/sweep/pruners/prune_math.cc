#include "coordinator/sweep/pruners/prune_math.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace foldstack::sweep {

double LinearPercentile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position = q / 100.0 * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double t = position - static_cast<double>(below);
  const double a = values[below];
  const double b = values[above];
  // numpy's _lerp: interpolate from the nearer end, so t = 1 gives b exactly.
  return t >= 0.5 ? b - (b - a) * (1.0 - t) : a + (b - a) * t;
}

std::vector<const JobView*> OtherJobsOnFold(const StudyView& study, const TrialView& trial,
                                            int fold) {
  std::vector<const JobView*> jobs;
  for (const TrialView& other : study.trials) {
    if (other.id == trial.id) continue;
    if (const JobView* job = JobOnFold(other, fold)) jobs.push_back(job);
  }
  return jobs;
}

const JobView* JobOnFold(const TrialView& trial, int fold) {
  if (fold < 0 || static_cast<size_t>(fold) >= trial.jobs.size()) return nullptr;
  return &trial.jobs[static_cast<size_t>(fold)];
}

const char* WorseWord(const Objective& objective) {
  return objective.goal == Goal::kMaximize ? "below" : "above";
}

std::string ShowValue(double value) { return absl::StrCat(value); }

PruneDecision StopTrial(std::string reason) {
  PruneDecision decision;
  decision.action = PruneAction::kStopTrial;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace foldstack::sweep
