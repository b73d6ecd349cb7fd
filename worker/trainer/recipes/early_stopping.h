// Early stopping on the sweep's objective, signed so that higher is better.
#ifndef FOLDSTACK_WORKER_TRAINER_RECIPES_EARLY_STOPPING_H_
#define FOLDSTACK_WORKER_TRAINER_RECIPES_EARLY_STOPPING_H_

namespace foldstack::recipes {

class EarlyStopping {
 public:
  // patience 0 (or below) = never stops; the best epoch is still tracked.
  explicit EarlyStopping(int patience);

  // Call once per epoch with its objective score (higher is better). A metric improves when it
  // is strictly above the best so far (so ties keep the earlier epoch; NaN
  // never improves). Returns true when training should stop: the last
  // `patience` epochs in a row did not improve.
  bool Update(int epoch, double metric);

  // -1 and -infinity before any epoch improved.
  int best_epoch() const { return best_epoch_; }
  double best_metric() const { return best_metric_; }
  // Epochs in a row without improvement, up to now.
  int epochs_without_improvement() const { return bad_epochs_; }

  // Everything Update() reads, so a resumed job stops where the uninterrupted one would.
  struct State {
    int best_epoch = -1;
    double best_metric = 0;
    int bad_epochs = 0;
  };
  State state() const { return {best_epoch_, best_metric_, bad_epochs_}; }
  void Restore(const State& state);

 private:
  int patience_;
  int best_epoch_ = -1;
  double best_metric_;
  int bad_epochs_ = 0;
};

}  // namespace foldstack::recipes

#endif  // FOLDSTACK_WORKER_TRAINER_RECIPES_EARLY_STOPPING_H_
