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

}  // namespace foldstack::recipes
