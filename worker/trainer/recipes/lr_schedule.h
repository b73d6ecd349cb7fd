// Learning-rate schedules (none, cosine, step, plateau) with linear warm-up,
// as the lr of each optimiser step. Pure arithmetic: no torch; the trainer
// calls LrAt(step) before each step and SetLearningRate()s the optimiser.
//
// Warm-up (every kind, "none" included): W = round(warmup_epochs *
// steps_per_epoch) steps, and for step < W
//   lr = base_lr * (step + 1) / W,
// i.e. the line from 0 (at step -1) to base_lr, reached at step W - 1, so the
// first step already learns (timm's warmup_lr_init = 0 would waste step 0).
//
// After warm-up, with epoch = floor(step / steps_per_epoch):
//   none:    base_lr
//   cosine:  T = epochs * steps_per_epoch - W, t = step - W (timm
//            CosineLRScheduler, one cycle, warmup_prefix=True, t_in_epochs=False):
//            min_lr + 0.5 * (base_lr - min_lr) * (1 + cos(pi * t / T)),
//            and min_lr once t >= T (past the planned run).
//   step:    base_lr * decay_rate^floor(epoch / decay_epochs), epochs counted
//            from the start of the run as timm's StepLRScheduler does.
//   plateau: max(base_lr * decay_rate^n, min(min_lr, base_lr)), n = decays so far.
#ifndef FOLDSTACK_WORKER_TRAINER_RECIPES_LR_SCHEDULE_H_
#define FOLDSTACK_WORKER_TRAINER_RECIPES_LR_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"

namespace foldstack::recipes {

struct LrScheduleConfig {
  std::string kind = "none";  // none | cosine | step | plateau
  double base_lr = 1e-3;
  int epochs = 1;
  int steps_per_epoch = 1;
  double warmup_epochs = 0;
  double min_lr = 0;
  int decay_epochs = 30;
  double decay_rate = 0.1;
  int patience_epochs = 10;
};

// Reads scheduler, lr, epochs, warmup_epochs, min_lr, decay_epochs,
// decay_rate and patience_epochs from a trial's completed settings (as
// common::CompleteSettings returns them, so already validated); a key that
// is absent or not a number keeps the LrScheduleConfig default.
LrScheduleConfig LrScheduleConfigFromSettings(const nlohmann::json& settings,
                                              int steps_per_epoch);

class LrSchedule {
 public:
  // An unknown kind behaves as "none"; steps_per_epoch and epochs below 1
  // count as 1.
  explicit LrSchedule(LrScheduleConfig config);

  // The lr of optimiser step `step`, 0-based over the whole run (negative
  // steps count as 0). See the file comment for the formulas.
  double LrAt(int64_t step) const;

  // Plateau only (ignored by the other kinds): call after each epoch with its
  // held-out macro-F1 (higher is better). As PyTorch's ReduceLROnPlateau in
  // mode max with timm's threshold (relative 1e-4, no cooldown): a metric
  // improves when it exceeds best * (1 + 1e-4); after more than
  // patience_epochs epochs in a row without improvement the lr decays once
  // and the count restarts. Epochs that end inside warm-up are ignored, as
  // timm's PlateauLRScheduler does.
  void OnEpochEnd(double metric);

  // Plateau decays so far (0 for the other kinds).
  int plateau_decays() const { return decays_; }

  // What OnEpochEnd() has accumulated (LrAt() depends on nothing else), so a
  // resumed job continues the same schedule.
  struct PlateauState {
    int epochs_seen = 0;
    bool has_best = false;
    double best = 0;
    int bad_epochs = 0;
    int decays = 0;
  };
  PlateauState plateau_state() const { return {epochs_seen_, has_best_, best_, bad_epochs_, decays_}; }
  void RestorePlateau(const PlateauState& state);
  int64_t warmup_steps() const { return warmup_steps_; }

 private:
  double AfterWarmup(int64_t step) const;

  LrScheduleConfig config_;
  int64_t warmup_steps_ = 0;
  int64_t total_steps_ = 0;
  // Plateau state.
  int epochs_seen_ = 0;
  bool has_best_ = false;
  double best_ = 0;
  int bad_epochs_ = 0;
  int decays_ = 0;
};

}  // namespace foldstack::recipes

#endif  // FOLDSTACK_WORKER_TRAINER_RECIPES_LR_SCHEDULE_H_
