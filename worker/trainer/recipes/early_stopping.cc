#include "worker/trainer/recipes/early_stopping.h"

#include <limits>

namespace foldstack::recipes {

EarlyStopping::EarlyStopping(int patience)
    : patience_(patience), best_metric_(-std::numeric_limits<double>::infinity()) {}

bool EarlyStopping::Update(int epoch, double metric) {
  if (metric > best_metric_) {  // false for NaN
    best_metric_ = metric;
    best_epoch_ = epoch;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  return patience_ > 0 && bad_epochs_ >= patience_;
}

void EarlyStopping::Restore(const State& state) {
  best_epoch_ = state.best_epoch;
  best_metric_ = state.best_metric;
  bad_epochs_ = state.bad_epochs;
}

}  // namespace foldstack::recipes
