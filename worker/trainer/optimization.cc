#include "worker/trainer/optimization.h"

#include <torch/nn/utils/clip_grad.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "worker/trainer/optim/optimizer_factory.h"

namespace foldstack::trainer {
namespace {

PhaseOptions Phase(const nlohmann::json& settings, int64_t batches_per_epoch, bool loss_scaling) {
  PhaseOptions options;
  options.grad_accum_steps = settings["grad_accum_steps"].get<int>();
  const int64_t steps_per_epoch = (batches_per_epoch + options.grad_accum_steps - 1) / options.grad_accum_steps;
  options.schedule = recipes::LrScheduleConfigFromSettings(settings, static_cast<int>(std::max<int64_t>(1, steps_per_epoch)));
  options.clip_grad_norm = settings["clip_grad_norm"].get<double>();
  options.loss_scaling = loss_scaling;
  return options;
}

}  // namespace

PhaseOptions TrainingPhase(const nlohmann::json& settings, int64_t batches_per_epoch, bool loss_scaling) {
  PhaseOptions options = Phase(settings, batches_per_epoch, loss_scaling);
  options.optimizer = settings["optimizer"].get<std::string>();
  return options;
}

PhaseOptions FinetunePhase(const nlohmann::json& settings, int64_t batches_per_epoch, bool loss_scaling) {
  PhaseOptions options = Phase(settings, batches_per_epoch, loss_scaling);
  options.optimizer = settings["finetune_optimizer"].get<std::string>();
  options.schedule.kind = "none";  // a short constant-lr continuation, as the team ran it
  options.schedule.base_lr = settings["finetune_lr"].get<double>();
  options.schedule.warmup_epochs = 0;
  options.schedule.epochs = settings["finetune_epochs"].get<int>();
  return options;
}

absl::StatusOr<std::unique_ptr<Optimization>> Optimization::Create(const PhaseOptions& options,
                                                                   const nlohmann::json& settings,
                                                                   torch::nn::Module& model,
                                                                   GradientAverager average_gradients) {
  absl::StatusOr<std::unique_ptr<torch::optim::Optimizer>> optimizer = optim::MakeOptimizer(
      options.optimizer, optim::SplitByWeightDecay(model.named_parameters()), options.schedule.base_lr,
      settings["momentum"].get<double>(), settings["nesterov"].get<bool>(), settings["weight_decay"].get<double>());
  if (!optimizer.ok()) return optimizer.status();
  return std::unique_ptr<Optimization>(new Optimization(options, model, std::move(average_gradients), *std::move(optimizer)));
}

Optimization::Optimization(PhaseOptions options, torch::nn::Module& model, GradientAverager average_gradients,
                           std::unique_ptr<torch::optim::Optimizer> optimizer)
    : options_(std::move(options)),
      model_(model),
      average_gradients_(std::move(average_gradients)),
      optimizer_(std::move(optimizer)),
      schedule_(options_.schedule) {
  optimizer_->zero_grad();
}

absl::StatusOr<bool> Optimization::Backward(const torch::Tensor& loss, int64_t index, int64_t batches) {
  const int64_t accum = options_.grad_accum_steps;
  const int64_t group_start = index / accum * accum;
  const int64_t group_size = std::min(accum, batches - group_start);
  torch::Tensor scaled = loss / static_cast<double>(group_size);
  if (options_.loss_scaling) scaled = scaled * loss_scale_;
  scaled.backward();
  const bool ends_group = index + 1 == group_start + group_size;
  if (!ends_group) return false;
  return Step();
}

void Optimization::Save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive optimizer(archive.compilation_unit());
  optimizer_->save(optimizer);
  archive.write("optimizer", optimizer);
  archive.write("optimizer_name", c10::IValue(options_.optimizer));
  archive.write("steps", c10::IValue(steps_));
  archive.write("skipped", c10::IValue(skipped_));
  archive.write("loss_scale", c10::IValue(loss_scale_));
  archive.write("good_steps", c10::IValue(static_cast<int64_t>(good_steps_)));
  const recipes::LrSchedule::PlateauState plateau = schedule_.plateau_state();
  archive.write("plateau_epochs_seen", c10::IValue(static_cast<int64_t>(plateau.epochs_seen)));
  archive.write("plateau_has_best", c10::IValue(plateau.has_best));
  archive.write("plateau_best", c10::IValue(plateau.best));
  archive.write("plateau_bad_epochs", c10::IValue(static_cast<int64_t>(plateau.bad_epochs)));
  archive.write("plateau_decays", c10::IValue(static_cast<int64_t>(plateau.decays)));
}

absl::Status Optimization::Load(torch::serialize::InputArchive& archive) {
  // torch reports a missing key or a mismatching parameter group by throwing.
  try {
    auto read = [&archive](const char* key) {
      c10::IValue value;
      archive.read(key, value);
      return value;
    };
    if (read("optimizer_name").toStringRef() != options_.optimizer) {
      return absl::InvalidArgumentError(absl::StrCat("optimizer state is for ", read("optimizer_name").toStringRef(),
                                                     ", this phase uses ", options_.optimizer));
    }
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    optimizer_->load(optimizer);
    steps_ = read("steps").toInt();
    skipped_ = read("skipped").toInt();
    loss_scale_ = read("loss_scale").toDouble();
    good_steps_ = static_cast<int>(read("good_steps").toInt());
    schedule_.RestorePlateau({static_cast<int>(read("plateau_epochs_seen").toInt()), read("plateau_has_best").toBool(),
                              read("plateau_best").toDouble(), static_cast<int>(read("plateau_bad_epochs").toInt()),
                              static_cast<int>(read("plateau_decays").toInt())});
  } catch (const std::exception& e) {
    std::string message = e.what();
    return absl::DataLossError(absl::StrCat("optimizer state: ", message.substr(0, message.find('\n'))));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Optimization::Step() {
  if (average_gradients_) {
    if (absl::Status averaged = average_gradients_(); !averaged.ok()) return averaged;
  }
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : model_.parameters()) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (options_.loss_scaling) {
    // Unscale, then one device-to-host read for all gradients (not one per parameter).
    std::vector<torch::Tensor> all_finite;
    for (torch::Tensor& g : grads) all_finite.push_back(g.div_(loss_scale_).isfinite().all());
    const bool finite = all_finite.empty() || torch::stack(all_finite).all().item<bool>();
    if (!finite) {  // overflow at this scale: drop the step, try a smaller scale
      loss_scale_ /= 2;
      good_steps_ = 0;
      ++skipped_;
      optimizer_->zero_grad();
      return false;
    }
    if (++good_steps_ == 2000) {
      loss_scale_ *= 2;
      good_steps_ = 0;
    }
  }
  if (options_.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model_.parameters(), options_.clip_grad_norm);
  optim::SetLearningRate(*optimizer_, schedule_.LrAt(steps_));
  optimizer_->step();
  optimizer_->zero_grad();
  ++steps_;
  return true;
}

}  // namespace foldstack::trainer
