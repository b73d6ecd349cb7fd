#include "coordinator/sweep/pruner.h"

#include <algorithm>

namespace foldstack::sweep {
namespace {

// kStopTrial > kStopJob > kContinue.
PruneDecision Stronger(PruneDecision a, PruneDecision b) {
  return static_cast<int>(b.action) > static_cast<int>(a.action) ? b : a;
}

}  // namespace

PruneDecision CompositePruner::OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                                       int epoch) const {
  PruneDecision decision;
  for (const auto& part : parts_) decision = Stronger(decision, part->OnEpoch(study, trial, fold, epoch));
  return decision;
}

PruneDecision CompositePruner::OnFoldDone(const StudyView& study, const TrialView& trial,
                                          int fold) const {
  PruneDecision decision;
  for (const auto& part : parts_) decision = Stronger(decision, part->OnFoldDone(study, trial, fold));
  return decision;
}

int CompositePruner::GateFolds() const {
  int gate = 0;
  for (const auto& part : parts_) gate = std::max(gate, part->GateFolds());
  return gate;
}

}  // namespace foldstack::sweep
