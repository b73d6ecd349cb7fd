// MADGRAD (Defazio & Jelassi 2021, "Adaptivity without Compromise: A
// Momentumized, Adaptive, Dual Averaged Gradient Method for Stochastic
// Optimization"), written from the paper's Algorithm 1.
//
// Per parameter, with k counting this parameter's steps from 0:
//   lamb_k  = lr * sqrt(k + 1)
//   s_{k+1} = s_k + lamb_k * g_k
//   v_{k+1} = v_k + lamb_k * g_k^2
//   z       = x_0 - s_{k+1} / (cbrt(v_{k+1}) + eps)
//   x_{k+1} = (1 - c) * x_k + c * z,   c = 1 - momentum
// weight_decay is added to the gradient (g_k += weight_decay * x_k), as in
// the paper's reference implementation's default (non-decoupled) mode.
#ifndef FOLDSTACK_WORKER_TRAINER_OPTIM_MADGRAD_H_
#define FOLDSTACK_WORKER_TRAINER_OPTIM_MADGRAD_H_

#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace foldstack::trainer::optim {

struct MadgradOptions
    : public torch::optim::OptimizerCloneableOptions<MadgradOptions> {
  MadgradOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit like torch's
  TORCH_ARG(double, lr) = 1e-2;
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(double, eps) = 1e-6;

 public:
  // Needed so LR schedulers (which go through the base class) can read and
  // change the learning rate.
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
  // For Madgrad::save / load (torch/optim/serialize.h keeps each group's options).
  void serialize(torch::serialize::OutputArchive& archive) const override;
  void serialize(torch::serialize::InputArchive& archive) override;
};

// State kept per parameter; created at the parameter's first step, when x0
// is taken as a copy of the parameter's value then.
struct MadgradParamState
    : public torch::optim::OptimizerCloneableParamState<MadgradParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, grad_sum);         // s: weighted sum of gradients
  TORCH_ARG(torch::Tensor, grad_sq_sum);      // v: weighted sum of g^2
  TORCH_ARG(torch::Tensor, initial_value);    // x0: the dual-averaging anchor

 public:
  void serialize(torch::serialize::OutputArchive& archive) const override;
  void serialize(torch::serialize::InputArchive& archive) override;
};

class Madgrad : public torch::optim::Optimizer {
 public:
  // Throws c10::Error (via TORCH_CHECK) on a negative lr, eps, weight_decay
  // or a momentum outside [0, 1), like torch's own optimizers.
  explicit Madgrad(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                   MadgradOptions defaults = {});
  explicit Madgrad(std::vector<torch::Tensor> params,
                   MadgradOptions defaults = {});

  // One update of every parameter that has a gradient. Sparse gradients are
  // rejected. Returns the closure's loss, or an undefined tensor without one.
  torch::Tensor step(LossClosure closure = nullptr) override;

  // Every parameter's state (step, s, v, x0) and the groups' options, as
  // torch's own optimizers save theirs; a resumed job continues bit for bit.
  // As with torch's, load() restores the per-parameter state only: the
  // options stay those this optimiser was constructed with.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace foldstack::trainer::optim

#endif  // FOLDSTACK_WORKER_TRAINER_OPTIM_MADGRAD_H_
