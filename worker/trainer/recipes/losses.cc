#include "worker/trainer/recipes/losses.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace foldstack::recipes {
namespace {

// Index targets [N] become one-hot rows; soft targets [N, C] pass through.
at::Tensor AsSoftTarget(const at::Tensor& logits, const at::Tensor& target) {
  TORCH_CHECK(logits.dim() == 2, "loss: logits must be [N, C], got ", logits.sizes());
  if (target.dim() == 1) {
    TORCH_CHECK(target.scalar_type() == at::kLong, "loss: index targets must be int64");
    TORCH_CHECK(target.size(0) == logits.size(0), "loss: ", target.size(0),
                " targets for ", logits.size(0), " rows of logits");
    return at::one_hot(target, logits.size(1)).to(logits.scalar_type());
  }
  TORCH_CHECK(target.sizes() == logits.sizes(), "loss: soft targets ", target.sizes(),
              " do not match logits ", logits.sizes());
  return target.to(logits.scalar_type());
}

// A per-class tensor [C] (or a scalar) shaped to broadcast over [N, C].
at::Tensor PerClassRow(const at::Tensor& values, const at::Tensor& logits) {
  at::Tensor row = values.to(logits.options());
  if (row.dim() == 0) return row;
  TORCH_CHECK(row.dim() == 1 && row.size(0) == logits.size(1), "loss: per-class values ",
              row.sizes(), " do not match ", logits.size(1), " classes");
  return row.view({1, -1});
}

}  // namespace

at::Tensor CrossEntropy(const at::Tensor& logits, const at::Tensor& target,
                        const std::optional<at::Tensor>& class_weights,
                        double label_smoothing) {
  const at::Tensor log_p = at::log_softmax(logits, /*dim=*/1);
  if (target.dim() == 1 && label_smoothing == 0.0) {
    AsSoftTarget(logits, target);  // shape checks only
    const at::Tensor nll = -log_p.gather(1, target.unsqueeze(1)).squeeze(1);
    if (!class_weights) return nll.mean();
    // PyTorch's weighted mean: normalise by the weights of the targets seen.
    const at::Tensor w = PerClassRow(*class_weights, logits).view({-1}).index_select(0, target);
    return (w * nll).sum() / w.sum();
  }
  at::Tensor soft = AsSoftTarget(logits, target);
  if (label_smoothing > 0.0) {
    soft = soft * (1.0 - label_smoothing) + label_smoothing / logits.size(1);
  }
  at::Tensor per_class = -soft * log_p;
  if (class_weights) per_class = per_class * PerClassRow(*class_weights, logits);
  return per_class.sum(1).mean();
}

at::Tensor ClassWeightsFromCounts(const at::Tensor& counts) {
  TORCH_CHECK(counts.dim() == 1, "class counts must be [C], got ", counts.sizes());
  const at::Tensor c = counts.to(at::kDouble);
  const at::Tensor present = c > 0;
  const double num_present = present.sum().item<double>();
  TORCH_CHECK(num_present > 0, "class counts are all zero");
  const at::Tensor inverse = at::where(present, 1.0 / c.clamp_min(1.0), at::zeros_like(c));
  return (inverse * (num_present / inverse.sum().item<double>())).to(at::kFloat);
}

at::Tensor FocalLoss(const at::Tensor& logits, const at::Tensor& target, double gamma,
                     const std::optional<at::Tensor>& alpha) {
  const at::Tensor soft = AsSoftTarget(logits, target);
  const at::Tensor log_p = at::log_softmax(logits, /*dim=*/1);
  at::Tensor per_class = -soft * log_p;
  // gamma == 0 skips the modulating factor; the clamp keeps pow's gradient finite
  // when p rounds to 1 (0^(gamma-1) is infinite for gamma < 1).
  if (gamma != 0.0) per_class = per_class * (1.0 - log_p.exp()).clamp_min(1e-12).pow(gamma);
  if (alpha) per_class = per_class * PerClassRow(*alpha, logits);
  return per_class.sum(1).mean();
}

at::Tensor SoftMacroF1Loss(const at::Tensor& logits, const at::Tensor& target, double eps) {
  const at::Tensor y = AsSoftTarget(logits, target);
  const at::Tensor p = at::softmax(logits, /*dim=*/1);
  const at::Tensor f1 = 2.0 * (p * y).sum(0) / (p.sum(0) + y.sum(0) + eps);
  return 1.0 - f1.mean();
}

// ---- factory ----------------------------------------------------------------

namespace {

absl::Status CheckKeys(const nlohmann::json& config, const std::string& name,
                       const std::set<std::string>& allowed, absl::string_view where) {
  for (const auto& item : config.items()) {
    if (item.key() == "name" || allowed.count(item.key()) > 0) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": unknown parameter \"", item.key(), "\" for loss \"", name, "\" (expected ",
        allowed.empty() ? "none" : absl::StrCat("one of: ", absl::StrJoin(allowed, ", ")),
        ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<double> NumberAt(const nlohmann::json& config, const std::string& key,
                                double fallback, double min, double max,
                                absl::string_view where) {
  if (!config.contains(key)) return fallback;
  const nlohmann::json& value = config.at(key);
  if (!value.is_number() || value.get<double>() < min || value.get<double>() > max) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": expected a number in [",
                                                   min, ", ", max, "], got ", value.dump()));
  }
  return value.get<double>();
}

// A number (scalar tensor) or a list of numbers (tensor [C]).
absl::StatusOr<at::Tensor> NumbersAt(const nlohmann::json& value, const std::string& path) {
  if (value.is_number()) return at::scalar_tensor(value.get<double>(), at::kFloat);
  std::vector<float> numbers;
  if (value.is_array() && !value.empty()) {
    for (const nlohmann::json& v : value) {
      if (!v.is_number() || v.get<double>() < 0) break;
      numbers.push_back(v.get<float>());
    }
  }
  if (numbers.empty() || numbers.size() != value.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected a number or a list of numbers >= 0, got ", value.dump()));
  }
  return at::tensor(numbers, at::kFloat);
}

const char kLossNames[] = "ce, weighted_ce, label_smoothing, focal, f1, sum";

}  // namespace

absl::StatusOr<LossFn> MakeLoss(const nlohmann::json& config, const LossContext& context,
                                absl::string_view where) {
  if (!config.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected an object like {\"name\": \"ce\"}, got ", config.dump()));
  }
  if (!config.contains("name") || !config.at("name").is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".name: expected one of ", kLossNames, ", got ",
        config.contains("name") ? config.at("name").dump() : "nothing"));
  }
  const std::string name = config.at("name").get<std::string>();
  const std::string at_key = std::string(where);

  if (name == "ce") {
    if (auto s = CheckKeys(config, name, {}, where); !s.ok()) return s;
    return LossFn([](const at::Tensor& x, const at::Tensor& t) { return CrossEntropy(x, t); });
  }
  if (name == "label_smoothing") {
    if (auto s = CheckKeys(config, name, {"epsilon"}, where); !s.ok()) return s;
    absl::StatusOr<double> eps = NumberAt(config, "epsilon", 0.1, 0.0, 1.0, where);
    if (!eps.ok()) return eps.status();
    return LossFn([eps = *eps](const at::Tensor& x, const at::Tensor& t) {
      return CrossEntropy(x, t, std::nullopt, eps);
    });
  }
  if (name == "weighted_ce") {
    if (auto s = CheckKeys(config, name, {"weights"}, where); !s.ok()) return s;
    at::Tensor weights;
    if (config.contains("weights")) {
      absl::StatusOr<at::Tensor> given = NumbersAt(config.at("weights"), at_key + ".weights");
      if (!given.ok()) return given.status();
      weights = *given;
    } else if (context.class_counts) {
      weights = ClassWeightsFromCounts(*context.class_counts);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": weighted_ce needs \"weights\" or the training fold's class counts"));
    }
    return LossFn([weights](const at::Tensor& x, const at::Tensor& t) {
      return CrossEntropy(x, t, weights);
    });
  }
  if (name == "focal") {
    if (auto s = CheckKeys(config, name, {"gamma", "alpha"}, where); !s.ok()) return s;
    absl::StatusOr<double> gamma = NumberAt(config, "gamma", 2.0, 0.0, 100.0, where);
    if (!gamma.ok()) return gamma.status();
    std::optional<at::Tensor> alpha;
    if (config.contains("alpha")) {
      absl::StatusOr<at::Tensor> given = NumbersAt(config.at("alpha"), at_key + ".alpha");
      if (!given.ok()) return given.status();
      alpha = *given;
    }
    return LossFn([gamma = *gamma, alpha](const at::Tensor& x, const at::Tensor& t) {
      return FocalLoss(x, t, gamma, alpha);
    });
  }
  if (name == "f1") {
    if (auto s = CheckKeys(config, name, {"eps"}, where); !s.ok()) return s;
    absl::StatusOr<double> eps = NumberAt(config, "eps", 1e-7, 0.0, 1.0, where);
    if (!eps.ok()) return eps.status();
    return LossFn([eps = *eps](const at::Tensor& x, const at::Tensor& t) {
      return SoftMacroF1Loss(x, t, eps);
    });
  }
  if (name == "sum") {
    if (auto s = CheckKeys(config, name, {"terms"}, where); !s.ok()) return s;
    const std::string terms_key = at_key + ".terms";
    if (!config.contains("terms") || !config.at("terms").is_array() ||
        config.at("terms").size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          terms_key, ": expected a list of two losses, each with a \"weight\", got ",
          config.contains("terms") ? config.at("terms").dump() : "nothing"));
    }
    std::vector<std::pair<double, LossFn>> terms;
    for (size_t i = 0; i < 2; ++i) {
      const std::string term_key = absl::StrCat(terms_key, "[", i, "]");
      nlohmann::json term = config.at("terms").at(i);
      if (!term.is_object()) {
        return absl::InvalidArgumentError(
            absl::StrCat(term_key, ": expected an object, got ", term.dump()));
      }
      absl::StatusOr<double> weight = NumberAt(term, "weight", 1.0, 0.0, 1e6, term_key);
      if (!weight.ok()) return weight.status();
      term.erase("weight");
      absl::StatusOr<LossFn> fn = MakeLoss(term, context, term_key);
      if (!fn.ok()) return fn.status();
      terms.emplace_back(*weight, *std::move(fn));
    }
    return LossFn([terms](const at::Tensor& x, const at::Tensor& t) {
      return terms[0].first * terms[0].second(x, t) + terms[1].first * terms[1].second(x, t);
    });
  }
  return absl::InvalidArgumentError(absl::StrCat(where, ".name: unknown loss \"", name,
                                                 "\" (expected one of: ", kLossNames, ")"));
}

}  // namespace foldstack::recipes
