#include "worker/trainer/recipes/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/json_numbers.h"

namespace foldstack::recipes {
namespace {

constexpr double kPi = 3.14159265358979323846;
// timm's PlateauLRScheduler threshold (PyTorch's threshold_mode "rel").
constexpr double kPlateauThreshold = 1e-4;

double NumberOr(const nlohmann::json& settings, const char* key, double fallback) {
  if (!settings.is_object() || !settings.contains(key)) return fallback;
  return common::AsNumber(settings.at(key)).value_or(fallback);
}

int IntOr(const nlohmann::json& settings, const char* key, int fallback) {
  if (!settings.is_object() || !settings.contains(key)) return fallback;
  const auto value = common::AsInteger(settings.at(key));
  return value ? static_cast<int>(*value) : fallback;
}

}  // namespace

LrScheduleConfig LrScheduleConfigFromSettings(const nlohmann::json& settings,
                                              int steps_per_epoch) {
  LrScheduleConfig c;
  if (settings.is_object() && settings.contains("scheduler") && settings.at("scheduler").is_string()) {
    c.kind = settings.at("scheduler").get<std::string>();
  }
  c.base_lr = NumberOr(settings, "lr", c.base_lr);
  c.epochs = IntOr(settings, "epochs", c.epochs);
  c.steps_per_epoch = steps_per_epoch;
  c.warmup_epochs = NumberOr(settings, "warmup_epochs", c.warmup_epochs);
  c.min_lr = NumberOr(settings, "min_lr", c.min_lr);
  c.decay_epochs = IntOr(settings, "decay_epochs", c.decay_epochs);
  c.decay_rate = NumberOr(settings, "decay_rate", c.decay_rate);
  c.patience_epochs = IntOr(settings, "patience_epochs", c.patience_epochs);
  return c;
}

LrSchedule::LrSchedule(LrScheduleConfig config) : config_(std::move(config)) {
  config_.steps_per_epoch = std::max(config_.steps_per_epoch, 1);
  config_.epochs = std::max(config_.epochs, 1);
  config_.decay_epochs = std::max(config_.decay_epochs, 1);
  warmup_steps_ = std::max<int64_t>(
      0, std::llround(config_.warmup_epochs * config_.steps_per_epoch));
  total_steps_ = static_cast<int64_t>(config_.epochs) * config_.steps_per_epoch;
}

double LrSchedule::LrAt(int64_t step) const {
  step = std::max<int64_t>(step, 0);
  if (step < warmup_steps_) {
    return config_.base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps_);
  }
  return AfterWarmup(step);
}

double LrSchedule::AfterWarmup(int64_t step) const {
  const double base = config_.base_lr;
  if (config_.kind == "cosine") {
    const int64_t period = total_steps_ - warmup_steps_;
    const int64_t t = step - warmup_steps_;
    if (period <= 0 || t >= period) return config_.min_lr;
    const double cosine = std::cos(kPi * static_cast<double>(t) / static_cast<double>(period));
    return config_.min_lr + 0.5 * (base - config_.min_lr) * (1.0 + cosine);
  }
  if (config_.kind == "step") {
    const int64_t epoch = step / config_.steps_per_epoch;
    return base * std::pow(config_.decay_rate, static_cast<double>(epoch / config_.decay_epochs));
  }
  if (config_.kind == "plateau") {
    // PyTorch clamps each decay at min_lr; an lr already below the floor is
    // never raised to it.
    const double floor = std::min(config_.min_lr, base);
    return std::max(base * std::pow(config_.decay_rate, decays_), floor);
  }
  return base;
}

void LrSchedule::OnEpochEnd(double metric) {
  if (config_.kind != "plateau") return;
  ++epochs_seen_;
  const int64_t epoch_end_step = static_cast<int64_t>(epochs_seen_) * config_.steps_per_epoch;
  if (epoch_end_step <= warmup_steps_) return;
  // The first metric improves on "no best yet" (PyTorch's -inf); NaN never does.
  const bool improved =
      !std::isnan(metric) && (!has_best_ || metric > best_ * (1.0 + kPlateauThreshold));
  if (improved) {
    has_best_ = true;
    best_ = metric;
    bad_epochs_ = 0;
    return;
  }
  ++bad_epochs_;
  if (bad_epochs_ > config_.patience_epochs) {
    ++decays_;
    bad_epochs_ = 0;
  }
}

void LrSchedule::RestorePlateau(const PlateauState& state) {
  epochs_seen_ = state.epochs_seen;
  has_best_ = state.has_best;
  best_ = state.best;
  bad_epochs_ = state.bad_epochs;
  decays_ = state.decays;
}

}  // namespace foldstack::recipes
