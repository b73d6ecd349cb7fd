// Builds the optimiser a trial's settings name (optimizer, lr, momentum,
// nesterov, weight_decay; or finetune_optimizer / finetune_lr), and sets the
// learning rate the schedule computes before each step.
//
//   sgd:     torch SGD; momentum, nesterov, weight_decay as L2 (added to the
//            gradient), dampening 0.
//   adam:    torch Adam, betas (momentum, 0.999), weight_decay as L2.
//   adamw:   torch AdamW, betas (momentum, 0.999), decoupled weight decay
//            (x -= lr * weight_decay * x, apart from the gradient).
//   madgrad: optim/madgrad.h, momentum, weight_decay (L2), eps 1e-6.
// Adam's and AdamW's eps are torch's 1e-8.
#ifndef FOLDSTACK_WORKER_TRAINER_OPTIM_OPTIMIZER_FACTORY_H_
#define FOLDSTACK_WORKER_TRAINER_OPTIM_OPTIMIZER_FACTORY_H_

#include <torch/optim/optimizer.h>
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::trainer::optim {

// Parameters in two groups: weight decay applies to `decay` only.
struct ParamsByWeightDecay {
  std::vector<torch::Tensor> decay;
  std::vector<torch::Tensor> no_decay;
};

// timm's rule (param_groups_weight_decay): biases and every other parameter
// with at most one dimension (norm scales and shifts) get no weight decay.
// Parameters that do not require a gradient are left out.
ParamsByWeightDecay SplitByWeightDecay(
    const torch::OrderedDict<std::string, torch::Tensor>& named_parameters);

// Every parameter gets weight_decay. Errors (InvalidArgument, one line):
//   optimizer: expected one of sgd, adam, adamw, madgrad; got "rmsprop"
//   optimizer sgd: no parameters to optimise
//   optimizer sgd: <torch's check>, e.g. nesterov with momentum 0.
absl::StatusOr<std::unique_ptr<torch::optim::Optimizer>> MakeOptimizer(
    const std::string& name, std::vector<torch::Tensor> params, double lr,
    double momentum, bool nesterov, double weight_decay);

// As above with two param groups: `params.decay` gets weight_decay and
// `params.no_decay` gets 0 (an empty group is left out).
absl::StatusOr<std::unique_ptr<torch::optim::Optimizer>> MakeOptimizer(
    const std::string& name, ParamsByWeightDecay params, double lr,
    double momentum, bool nesterov, double weight_decay);

// Sets the lr of every param group (all four optimisers, Madgrad included).
void SetLearningRate(torch::optim::Optimizer& optimizer, double lr);

// The lr of the first param group (0 with no groups).
double LearningRate(const torch::optim::Optimizer& optimizer);

}  // namespace foldstack::trainer::optim

#endif  // FOLDSTACK_WORKER_TRAINER_OPTIM_OPTIMIZER_FACTORY_H_
