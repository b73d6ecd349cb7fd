// What a sweep optimises: one metric the trainer reports per epoch, and a direction. It orders
// everything: the trainer's best epoch and early stopping, the leaderboard, samplers, pruners.
#ifndef FOLDSTACK_COORDINATOR_SWEEP_OBJECTIVE_H_
#define FOLDSTACK_COORDINATOR_SWEEP_OBJECTIVE_H_

#include <limits>
#include <string>

namespace foldstack::sweep {

enum class Goal { kMaximize, kMinimize };

struct Objective {
  std::string metric = "val_macro_f1";
  Goal goal = Goal::kMaximize;

  // `a` strictly better than `b`.
  bool Better(double a, double b) const { return goal == Goal::kMaximize ? a > b : a < b; }
  // The value with its sign turned so that larger is always better (maximize: v; minimize: -v).
  double Score(double v) const { return goal == Goal::kMaximize ? v : -v; }
  // A value no real result is worse than.
  double Worst() const {
    return goal == Goal::kMaximize ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity();
  }
};

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_OBJECTIVE_H_
