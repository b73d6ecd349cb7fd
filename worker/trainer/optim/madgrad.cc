#include "worker/trainer/optim/madgrad.h"

#include <c10/util/Exception.h>
#include <c10/util/string_utils.h>
#include <torch/optim/serialize.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <utility>

namespace foldstack::trainer::optim {
namespace {

void CheckOptions(const MadgradOptions& o) {
  TORCH_CHECK(o.lr() >= 0, "madgrad: invalid lr ", o.lr());
  TORCH_CHECK(o.eps() >= 0, "madgrad: invalid eps ", o.eps());
  TORCH_CHECK(o.weight_decay() >= 0, "madgrad: invalid weight_decay ",
              o.weight_decay());
  TORCH_CHECK(o.momentum() >= 0 && o.momentum() < 1,
              "madgrad: momentum must be in [0, 1), got ", o.momentum());
}

}  // namespace

void MadgradOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
}

void MadgradOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
}

void MadgradParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(grad_sum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(grad_sq_sum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(initial_value);
}

void MadgradParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, grad_sum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, grad_sq_sum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, initial_value);
}

void Madgrad::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<MadgradParamState, MadgradOptions>(archive, *this);
}

void Madgrad::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<MadgradParamState, MadgradOptions>(archive, *this);
}

Madgrad::Madgrad(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                 MadgradOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<MadgradOptions>(defaults)) {
  CheckOptions(defaults);
}

Madgrad::Madgrad(std::vector<torch::Tensor> params, MadgradOptions defaults)
    : Madgrad({torch::optim::OptimizerParamGroup(std::move(params))},
              defaults) {}

torch::Tensor Madgrad::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const MadgradOptions&>(group.options());
    CheckOptions(options);
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(!p.grad().is_sparse(),
                  "madgrad: sparse gradients are not supported");
      auto grad = p.grad();
      if (options.weight_decay() != 0) {
        grad = grad.add(p, options.weight_decay());
      }

      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<MadgradParamState>();
        fresh->grad_sum(torch::zeros_like(p, at::MemoryFormat::Preserve));
        fresh->grad_sq_sum(torch::zeros_like(p, at::MemoryFormat::Preserve));
        fresh->initial_value(p.detach().clone());
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<MadgradParamState&>(*it->second);

      // lamb_k grows like sqrt(k+1): later gradients weigh more in the dual
      // average, which is what lets MADGRAD keep an SGD-like effective step.
      const double lamb =
          options.lr() * std::sqrt(static_cast<double>(state.step() + 1));
      state.step(state.step() + 1);
      state.grad_sum().add_(grad, lamb);
      state.grad_sq_sum().addcmul_(grad, grad, lamb);

      auto denom = state.grad_sq_sum().pow(1.0 / 3.0).add_(options.eps());
      auto z = state.initial_value().addcdiv(state.grad_sum(), denom, -1.0);
      // x <- (1 - c) x + c z with c = 1 - momentum; c = 1 means x = z.
      const double c = 1.0 - options.momentum();
      p.mul_(1.0 - c).add_(z, c);
    }
  }
  return loss;
}

}  // namespace foldstack::trainer::optim
