// One training phase's optimiser step logic: the optimiser a setting names,
// the learning-rate schedule, gradient accumulation over grad_accum_steps
// batches, averaging over data-parallel ranks, global-norm clipping and (on
// CUDA with precision amp) dynamic loss scaling, in timm train.py's order:
// backward (scaled) -> [every accum group] all-reduce -> unscale -> clip -> step.
#ifndef FOLDSTACK_WORKER_TRAINER_OPTIMIZATION_H_
#define FOLDSTACK_WORKER_TRAINER_OPTIMIZATION_H_

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/recipes/lr_schedule.h"

namespace foldstack::trainer {

// Averages the model's gradients over data-parallel ranks (empty: one process).
using GradientAverager = std::function<absl::Status()>;

struct PhaseOptions {
  std::string optimizer;  // sgd | adam | adamw | madgrad
  recipes::LrScheduleConfig schedule;  // base_lr is the phase's lr
  int grad_accum_steps = 1;
  double clip_grad_norm = 0;  // 0 = off
  bool loss_scaling = false;  // CUDA amp
};

// The main phase from the settings (optimizer, lr, scheduler, ...), with
// `batches_per_epoch` batches per epoch.
PhaseOptions TrainingPhase(const nlohmann::json& settings, int64_t batches_per_epoch, bool loss_scaling);
// The fine-tuning phase: finetune_optimizer at a constant finetune_lr.
PhaseOptions FinetunePhase(const nlohmann::json& settings, int64_t batches_per_epoch, bool loss_scaling);

class Optimization {
 public:
  static absl::StatusOr<std::unique_ptr<Optimization>> Create(const PhaseOptions& options,
                                                              const nlohmann::json& settings,
                                                              torch::nn::Module& model,
                                                              GradientAverager average_gradients = {});

  // Backpropagates `loss` (the batch mean) of batch `index` (0-based) of an
  // epoch of `batches` batches; steps the optimiser after every
  // grad_accum_steps batches and after the epoch's last one. The loss is
  // divided by the size of its accumulation group, so an accumulated step
  // uses the mean gradient. Returns whether it stepped.
  absl::StatusOr<bool> Backward(const torch::Tensor& loss, int64_t index, int64_t batches);

  // After each epoch: the plateau schedule sees held-out macro-F1.
  void OnEpochEnd(double val_macro_f1) { schedule_.OnEpochEnd(val_macro_f1); }
  double current_lr() const { return schedule_.LrAt(steps_); }
  int64_t steps() const { return steps_; }
  int64_t skipped_steps() const { return skipped_; }  // amp: steps dropped for inf/nan gradients
  double loss_scale() const { return loss_scale_; }   // amp: the current dynamic loss scale

  // Everything the next steps depend on, for a resumable checkpoint taken
  // between epochs (no gradient is pending then): the optimiser's
  // per-parameter state (momentum buffers, Adam moments, MADGRAD's sums and
  // anchor), the step counter the schedule reads, the plateau schedule's
  // state and the loss scaler's. Load() expects an Optimization created for
  // the same phase, settings and model; an archive that does not fit is an
  // error naming what was missing.
  void Save(torch::serialize::OutputArchive& archive) const;
  absl::Status Load(torch::serialize::InputArchive& archive);

 private:
  Optimization(PhaseOptions options, torch::nn::Module& model, GradientAverager average_gradients,
               std::unique_ptr<torch::optim::Optimizer> optimizer);
  absl::StatusOr<bool> Step();

  PhaseOptions options_;
  torch::nn::Module& model_;
  GradientAverager average_gradients_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  recipes::LrSchedule schedule_;
  int64_t steps_ = 0;
  int64_t skipped_ = 0;
  double loss_scale_ = 65536.0;  // amp: grows x2 after 2000 good steps, halves on overflow (as torch's GradScaler)
  int good_steps_ = 0;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_OPTIMIZATION_H_
