#include "common/trainer_settings.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/closest_name.h"
#include "common/json_numbers.h"
#include "common/model_names.h"

namespace foldstack::common {

Bounds AtLeast(double lo) { return Bounds{lo, true}; }
Bounds Above(double lo) { return Bounds{lo, false}; }
Bounds Closed(double lo, double hi) { return Bounds{lo, true, hi, true}; }
Bounds ClosedOpen(double lo, double hi) { return Bounds{lo, true, hi, false}; }

namespace {

TrainerSetting Choice(std::string name, std::string default_value,
                      std::vector<std::string> choices, std::string help) {
  return {std::move(name), SettingType::kString, default_value, std::move(choices), {},
          std::move(help)};
}
TrainerSetting Int(std::string name, int64_t default_value, Bounds bounds, std::string help) {
  return {std::move(name), SettingType::kInt, default_value, {}, bounds, std::move(help)};
}
TrainerSetting Float(std::string name, double default_value, Bounds bounds, std::string help) {
  return {std::move(name), SettingType::kFloat, default_value, {}, bounds, std::move(help)};
}
TrainerSetting Bool(std::string name, bool default_value, std::string help) {
  return {std::move(name), SettingType::kBool, default_value, {}, {}, std::move(help)};
}
using ListCheck = std::function<absl::Status(const std::vector<double>&)>;
// A comma-separated list of numbers, e.g. "30,60", with its own shape check.
TrainerSetting List(std::string name, std::string default_value, std::string help, ListCheck check) {
  TrainerSetting setting{std::move(name), SettingType::kNumberList, default_value, {}, {}, std::move(help)};
  setting.check = [check = std::move(check)](const nlohmann::json& value) {
    return check(*ParseNumberList(value.get<std::string>()));
  };
  return setting;
}

const std::vector<std::string> kLosses = {"ce", "weighted_ce", "focal", "label_smoothing", "f1"};
const std::vector<std::string> kOptimizers = {"sgd", "adam", "adamw", "madgrad"};

std::vector<std::string> LossesOrNone() {
  std::vector<std::string> names = {"none"};
  names.insert(names.end(), kLosses.begin(), kLosses.end());
  return names;
}

absl::Status ExpectList(bool ok, const std::string& expected, const std::vector<double>& got) {
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got \"", absl::StrJoin(got, ","), "\""));
}
absl::Status AgeBinsCheck(const std::vector<double>& v) {
  const bool ok = v.size() == 2 && std::floor(v[0]) == v[0] && std::floor(v[1]) == v[1] && v[0] > 0 &&
                  v[0] < v[1] && v[1] < 150;
  return ExpectList(ok, "two increasing whole ages, e.g. \"30,60\"", v);
}
absl::Status NonNegative(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x >= 0; })
             ? absl::OkStatus()
             : ExpectList(false, "numbers >= 0", v);
}
absl::Status HeadWeightsCheck(const std::vector<double>& v) {
  if (v.size() != 3) return ExpectList(false, "three weights (mask, gender, age), e.g. \"1,1,1\"", v);
  return NonNegative(v);
}
// "" or three loss names.
absl::Status HeadLossesCheck(const nlohmann::json& value) {
  const std::string text = value.get<std::string>();
  if (text.empty()) return absl::OkStatus();
  const std::vector<std::string> names = absl::StrSplit(text, ',');
  bool ok = names.size() == 3;
  for (const std::string& name : names) {
    ok = ok && std::find(kLosses.begin(), kLosses.end(), name) != kLosses.end();
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("expected \"\" or three of ", absl::StrJoin(kLosses, ", "),
                                                 " (mask, gender, age), e.g. \"focal,ce,ce\"; got \"", text,
                                                 "\""));
}
TrainerSetting WithCheck(TrainerSetting setting, std::function<absl::Status(const nlohmann::json&)> check) {
  setting.check = std::move(check);
  return setting;
}

// The table. One line per setting.
const std::vector<TrainerSetting>& Table() {
  static const auto* const kTable = new std::vector<TrainerSetting>{
      // Backbone.
      Choice("model", "resnet18", KnownModelNames(), "backbone, by its timm name"),
      Choice("pretrained", "", {}, "safetensors weights to start from (timm's files load as they are)"),
      Float("drop_rate", 0.0, ClosedOpen(0, 1), "dropout before the classifier"),
      Float("drop_path_rate", 0.0, ClosedOpen(0, 1), "stochastic depth rate (timm's linear schedule)"),
      Choice("task", "single", {"single", "multi_head", "mask", "gender", "age", "age_regression"},
             "one 18-class head; mask 3 / gender 2 / age 3 heads recombined into the 18 classes; one head "
             "alone (mask, gender, age); or the age in years as one output (age_regression)"),
      Choice("regression_loss", "mse", {"mse", "smooth_l1"}, "age_regression: loss on the age in years"),
      // Loss: loss_weight * loss + loss2_weight * loss2.
      Choice("loss", "ce", kLosses, "training loss"),
      Choice("loss2", "none", LossesOrNone(), "optional second loss, added with loss2_weight"),
      Float("loss_weight", 1.0, AtLeast(0), "weight of loss in the sum"),
      Float("loss2_weight", 1.0, AtLeast(0), "weight of loss2 in the sum"),
      List("class_weights", "", "weighted_ce weights, one per class (\"\" = inverse class frequency of the training folds)",
           NonNegative),
      Float("focal_gamma", 2.0, AtLeast(0), "focal loss focusing parameter (0 = cross-entropy)"),
      Float("focal_alpha", 1.0, Closed(0, 1), "focal loss weight of every class"),
      Float("smoothing", 0.1, ClosedOpen(0, 1), "label_smoothing epsilon"),
      WithCheck(Choice("head_losses", "", {}, "multi_head: losses of the mask, gender and age heads, e.g. \"focal,ce,ce\" (\"\" = loss for all)"),
                HeadLossesCheck),
      List("head_weights", "1,1,1", "multi_head: weights of the mask, gender and age head losses", HeadWeightsCheck),
      // Optimisation.
      Choice("optimizer", "adam", kOptimizers, "optimisation algorithm"),
      Float("lr", 0.001, Above(0), "learning rate"),
      Float("momentum", 0.9, ClosedOpen(0, 1), "SGD/MADGRAD momentum (Adam/AdamW: beta1)"),
      Bool("nesterov", false, "SGD: Nesterov momentum"),
      Float("weight_decay", 0.0, AtLeast(0), "weight decay (AdamW: decoupled)"),
      Choice("scheduler", "none", {"none", "cosine", "step", "plateau"}, "learning-rate schedule"),
      Float("warmup_epochs", 0.0, AtLeast(0), "linear warm-up to lr over this many epochs (step s of W uses lr*(s+1)/W)"),
      Float("min_lr", 0.0, AtLeast(0), "cosine: the final learning rate; plateau: the floor"),
      Int("decay_epochs", 30, AtLeast(1), "step: epochs between decays"),
      Float("decay_rate", 0.1, Above(0), "step and plateau: the factor the learning rate is multiplied by"),
      Int("patience_epochs", 10, AtLeast(0), "plateau: epochs without a better held-out macro-F1 before decaying"),
      Int("grad_accum_steps", 1, AtLeast(1), "batches whose gradients add up to one optimiser step"),
      Float("clip_grad_norm", 0.0, AtLeast(0), "clip the global gradient norm to this (0 = off)"),
      Int("early_stopping", 0, AtLeast(0), "stop after this many epochs without a better value of the sweep's metric (0 = off)"),
      Int("epochs", 3, AtLeast(1), "passes over the training folds"),
      Int("batch_size", 32, AtLeast(1), "images per optimisation step"),
      Int("finetune_epochs", 0, AtLeast(0), "after training, continue from the best checkpoint for this many epochs"),
      Choice("finetune_optimizer", "sgd", kOptimizers, "optimiser of the fine-tuning epochs"),
      Float("finetune_lr", 1e-4, Above(0), "learning rate of the fine-tuning epochs"),
      // Input and augmentation (albumentations' names and default ranges; each op has its own probability).
      Int("image_size", 224, Closed(16, 1024), "square side the network sees"),
      Int("center_crop", 0, AtLeast(0), "crop the central N x N pixels of the original image first (0 = off)"),
      Float("random_resized_crop", 0.0, Closed(0, 1), "probability of a random crop of area rrc_scale_min..1, aspect 3/4..4/3"),
      Float("rrc_scale_min", 0.08, Closed(0.01, 1), "random_resized_crop: smallest area fraction"),
      Float("hflip", 0.5, Closed(0, 1), "probability of a left-right mirror"),
      Float("shift_scale_rotate", 0.0, Closed(0, 1), "probability of a random affine shift/scale/rotation"),
      Float("shift_limit", 0.0625, Closed(0, 1), "shift_scale_rotate: largest shift, as a fraction of the side"),
      Float("scale_limit", 0.1, ClosedOpen(0, 1), "shift_scale_rotate: scale drawn from 1 +- this"),
      Float("rotate_limit", 45.0, Closed(0, 180), "shift_scale_rotate: largest rotation in degrees"),
      Float("hsv", 0.0, Closed(0, 1), "probability of a hue/saturation/value shift"),
      Float("hue_shift_limit", 20.0, Closed(0, 180), "hsv: largest hue shift (OpenCV's 0..180 hue)"),
      Float("sat_shift_limit", 30.0, Closed(0, 255), "hsv: largest saturation shift (0..255)"),
      Float("val_shift_limit", 20.0, Closed(0, 255), "hsv: largest value shift (0..255)"),
      Float("brightness_contrast", 0.0, Closed(0, 1), "probability of a brightness/contrast change"),
      Float("brightness_limit", 0.2, Closed(0, 1), "brightness_contrast: largest brightness change, as a fraction of 255"),
      Float("contrast_limit", 0.2, Closed(0, 1), "brightness_contrast: contrast factor drawn from 1 +- this"),
      Float("gauss_noise", 0.0, Closed(0, 1), "probability of additive Gaussian noise"),
      Float("noise_var_limit", 50.0, AtLeast(10), "gauss_noise: variance drawn from 10..this (0..255 pixel scale)"),
      Choice("normalize", "backbone", {"backbone", "imagenet", "none"},
             "mean/std normalisation: the backbone's pretrained config, ImageNet's, or none"),
      Float("mixup", 0.0, Closed(0, 1), "probability that a batch is mixed with mixup"),
      Float("cutmix", 0.0, Closed(0, 1), "probability that a batch is mixed with cutmix (mixup + cutmix <= 1)"),
      Float("mixup_alpha", 1.0, Above(0), "mixup: Beta(alpha, alpha) mixing weight"),
      Float("cutmix_alpha", 1.0, Above(0), "cutmix: Beta(alpha, alpha) box area"),
      Choice("sampler", "shuffle", {"shuffle", "class_balanced"},
             "training order: a permutation, or draws weighted by inverse class frequency"),
      // Labels, evaluation, reproducibility, hardware.
      List("age_bins", "30,60", "mask task: the two ages where the middle and old age bins start", AgeBinsCheck),
      Choice("tta", "none", {"none", "hflip"}, "held-out evaluation: average with the mirror image"),
      Int("seed", 0, AtLeast(0), "seed for weight init, data order and augmentation draws"),
      Choice("precision", "fp32", {"fp32", "amp"}, "amp = autocast + gradient scaling (CUDA only; fp32 on CPU)"),
      Bool("channels_last", false, "channels-last memory format (CUDA only)"),
      Choice("device", "auto", {"auto", "cpu", "cuda"},
             "where the job runs: auto = the worker's GPUs if it has any, else its CPU cores"),
      Int("ranks", 1, Closed(1, 64), "data-parallel trainer processes (GPUs on a GPU worker, processes on CPU)"),
  };
  return *kTable;
}

constexpr size_t kListedChoices = 8;

bool InBounds(double x, const Bounds& b) {
  const bool above_lo = b.lo_inclusive ? x >= b.lo : x > b.lo;
  const bool below_hi = b.hi_inclusive ? x <= b.hi : x < b.hi;
  return above_lo && below_hi;
}

// "an integer >= 1", "a number in [0, 1)", "a number > 0".
std::string DescribeExpected(const TrainerSetting& setting) {
  const Bounds& b = setting.bounds;
  std::string what = setting.type == SettingType::kInt ? "an integer" : "a number";
  const bool has_lo = std::isfinite(b.lo);
  const bool has_hi = std::isfinite(b.hi);
  if (has_lo && has_hi) {
    return absl::StrCat(what, " in ", b.lo_inclusive ? "[" : "(", b.lo, ", ", b.hi,
                        b.hi_inclusive ? "]" : ")");
  }
  if (has_lo) return absl::StrCat(what, b.lo_inclusive ? " >= " : " > ", b.lo);
  if (has_hi) return absl::StrCat(what, b.hi_inclusive ? " <= " : " < ", b.hi);
  return what;
}

absl::Status Mismatch(const std::string& expected, const nlohmann::json& value) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got ", DescribeJson(value)));
}

}  // namespace

const std::vector<TrainerSetting>& AllSettings() { return Table(); }

std::vector<std::string> SettingNames() {
  std::vector<std::string> names;
  for (const TrainerSetting& setting : Table()) names.push_back(setting.name);
  return names;
}

const TrainerSetting* FindSetting(std::string_view name) {
  for (const TrainerSetting& setting : Table()) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

std::string UnknownSettingMessage(std::string_view name) {
  const std::vector<std::string> names = SettingNames();
  std::string hint = DidYouMean(name, names);
  if (hint.empty()) hint = absl::StrCat(" (known settings: ", absl::StrJoin(names, ", "), ")");
  return absl::StrCat("unknown trainer setting \"", std::string(name), "\"", hint);
}

namespace {
absl::StatusOr<nlohmann::json> TypedSetting(const TrainerSetting* setting, const nlohmann::json& value) {
  switch (setting->type) {
    case SettingType::kString: {
      const bool allowed =
          value.is_string() &&
          (setting->choices.empty() ||
           std::find(setting->choices.begin(), setting->choices.end(),
                     value.get<std::string>()) != setting->choices.end());
      if (allowed) return value;
      if (setting->choices.empty()) return Mismatch("a string", value);
      if (setting->choices.size() > kListedChoices) {
        // Long lists (the model zoo): name the closest few rather than all of them.
        const std::string given = value.is_string() ? value.get<std::string>() : value.dump();
        return absl::InvalidArgumentError(absl::StrCat(
            "expected one of ", setting->choices.size(), " known names (closest: ",
            absl::StrJoin(ClosestNames(given, setting->choices, 3), ", "), "); got ", DescribeJson(value)));
      }
      return absl::InvalidArgumentError(absl::StrCat("expected one of ",
                                                     absl::StrJoin(setting->choices, ", "),
                                                     "; got ", DescribeJson(value)));
    }
    case SettingType::kInt: {
      const std::optional<int64_t> integer = AsInteger(value);
      if (!integer || !InBounds(static_cast<double>(*integer), setting->bounds)) {
        return Mismatch(DescribeExpected(*setting), value);
      }
      return nlohmann::json(*integer);
    }
    case SettingType::kFloat: {
      const std::optional<double> number = AsNumber(value);
      if (!number || !InBounds(*number, setting->bounds)) {
        return Mismatch(DescribeExpected(*setting), value);
      }
      return nlohmann::json(*number);
    }
    case SettingType::kBool:
      if (!value.is_boolean()) return Mismatch("true or false", value);
      return value;
    case SettingType::kNumberList:
      if (!value.is_string() || !ParseNumberList(value.get<std::string>()).ok()) {
        return Mismatch("a string of comma-separated numbers, e.g. \"30,60\"", value);
      }
      return value;
  }
  return absl::InternalError("unhandled setting type");
}

absl::StatusOr<nlohmann::json> CheckedSetting(const TrainerSetting& setting, nlohmann::json canonical) {
  if (setting.check) {
    if (absl::Status ok = setting.check(canonical); !ok.ok()) return ok;
  }
  return canonical;
}

}  // namespace

absl::StatusOr<nlohmann::json> CanonicalSetting(std::string_view name, const nlohmann::json& value) {
  const TrainerSetting* setting = FindSetting(name);
  if (setting == nullptr) return absl::InvalidArgumentError(UnknownSettingMessage(name));
  absl::StatusOr<nlohmann::json> typed = TypedSetting(setting, value);
  if (!typed.ok()) return typed;
  return CheckedSetting(*setting, *std::move(typed));
}

absl::StatusOr<std::vector<double>> ParseNumberList(std::string_view text) {
  std::vector<double> numbers;
  if (text.empty()) return numbers;
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    double number = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(part), &number) || !std::isfinite(number)) {
      return absl::InvalidArgumentError(absl::StrCat("\"", std::string(part), "\" is not a number"));
    }
    numbers.push_back(number);
  }
  return numbers;
}

absl::Status ValidateCombination(const nlohmann::json& complete) {
  const double mixup = complete.value("mixup", 0.0);
  const double cutmix = complete.value("cutmix", 0.0);
  if (mixup + cutmix > 1.0 + 1e-9) {
    return absl::InvalidArgumentError(
        absl::StrCat("mixup + cutmix: expected at most 1, got ", mixup + cutmix));
  }
  return absl::OkStatus();
}

absl::Status ValidateSetting(std::string_view name, const nlohmann::json& value) {
  return CanonicalSetting(name, value).status();
}

absl::StatusOr<nlohmann::json> CompleteSettings(const nlohmann::json& params) {
  if (!params.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trainer settings must be a JSON object, got ", DescribeJson(params)));
  }
  nlohmann::json complete = nlohmann::json::object();
  for (const auto& [name, value] : params.items()) {
    absl::StatusOr<nlohmann::json> canonical = CanonicalSetting(name, value);
    if (!canonical.ok()) {
      return absl::InvalidArgumentError(
          FindSetting(name) == nullptr ? std::string(canonical.status().message())
                                       : absl::StrCat(name, ": ", canonical.status().message()));
    }
    complete[name] = *std::move(canonical);
  }
  for (const TrainerSetting& setting : Table()) {
    if (!complete.contains(setting.name)) complete[setting.name] = setting.default_value;
  }
  if (absl::Status ok = ValidateCombination(complete); !ok.ok()) return ok;
  return complete;
}

}  // namespace foldstack::common
