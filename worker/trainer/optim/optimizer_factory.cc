#include "worker/trainer/optim/optimizer_factory.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "worker/trainer/optim/madgrad.h"

namespace foldstack::trainer::optim {
namespace {

constexpr double kAdamBeta2 = 0.999;

// The groups of `params`, the no-decay one with weight_decay 0; the
// optimiser's defaults are `options` itself.
template <typename OptimizerT, typename OptionsT>
std::unique_ptr<torch::optim::Optimizer> Build(ParamsByWeightDecay params,
                                               const OptionsT& options) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!params.decay.empty()) {
    groups.emplace_back(std::move(params.decay), std::make_unique<OptionsT>(options));
  }
  if (!params.no_decay.empty()) {
    OptionsT no_decay = options;
    no_decay.weight_decay(0);
    groups.emplace_back(std::move(params.no_decay), std::make_unique<OptionsT>(no_decay));
  }
  return std::make_unique<OptimizerT>(std::move(groups), options);
}

std::unique_ptr<torch::optim::Optimizer> BuildByName(const std::string& name,
                                                     ParamsByWeightDecay params, double lr,
                                                     double momentum, bool nesterov,
                                                     double weight_decay) {
  if (name == "sgd") {
    return Build<torch::optim::SGD>(
        std::move(params),
        torch::optim::SGDOptions(lr).momentum(momentum).nesterov(nesterov).weight_decay(weight_decay));
  }
  if (name == "adam") {
    return Build<torch::optim::Adam>(std::move(params),
                                     torch::optim::AdamOptions(lr)
                                         .betas(std::make_tuple(momentum, kAdamBeta2))
                                         .weight_decay(weight_decay));
  }
  if (name == "adamw") {
    return Build<torch::optim::AdamW>(std::move(params),
                                      torch::optim::AdamWOptions(lr)
                                          .betas(std::make_tuple(momentum, kAdamBeta2))
                                          .weight_decay(weight_decay));
  }
  return Build<Madgrad>(std::move(params),
                        MadgradOptions(lr).momentum(momentum).weight_decay(weight_decay));
}

}  // namespace

ParamsByWeightDecay SplitByWeightDecay(
    const torch::OrderedDict<std::string, torch::Tensor>& named_parameters) {
  ParamsByWeightDecay split;
  for (const auto& item : named_parameters) {
    const torch::Tensor& param = item.value();
    if (!param.requires_grad()) continue;
    const std::string& name = item.key();
    const bool is_bias = name == "bias" ||
                         (name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0);
    (param.dim() <= 1 || is_bias ? split.no_decay : split.decay).push_back(param);
  }
  return split;
}

absl::StatusOr<std::unique_ptr<torch::optim::Optimizer>> MakeOptimizer(
    const std::string& name, std::vector<torch::Tensor> params, double lr, double momentum,
    bool nesterov, double weight_decay) {
  return MakeOptimizer(name, ParamsByWeightDecay{std::move(params), {}}, lr, momentum, nesterov,
                       weight_decay);
}

absl::StatusOr<std::unique_ptr<torch::optim::Optimizer>> MakeOptimizer(
    const std::string& name, ParamsByWeightDecay params, double lr, double momentum,
    bool nesterov, double weight_decay) {
  if (name != "sgd" && name != "adam" && name != "adamw" && name != "madgrad") {
    return absl::InvalidArgumentError(absl::StrCat(
        "optimizer: expected one of sgd, adam, adamw, madgrad; got \"", name, "\""));
  }
  if (params.decay.empty() && params.no_decay.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("optimizer ", name, ": no parameters to optimise"));
  }
  try {
    return BuildByName(name, std::move(params), lr, momentum, nesterov, weight_decay);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("optimizer ", name, ": ",
                     absl::StrReplaceAll(e.what_without_backtrace(), {{"\n", " "}})));
  }
}

void SetLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) {
    group.options().set_lr(lr);
  }
}

double LearningRate(const torch::optim::Optimizer& optimizer) {
  const auto& groups = optimizer.param_groups();
  return groups.empty() ? 0.0 : groups.front().options().get_lr();
}

}  // namespace foldstack::trainer::optim
