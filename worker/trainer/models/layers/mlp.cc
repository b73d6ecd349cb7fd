#include "worker/trainer/models/layers/mlp.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/dropout.h>

#include "worker/trainer/models/layers/linear.h"

namespace foldstack::trainer {

namespace F = torch::nn::functional;

MlpImpl::MlpImpl(int in_features, int hidden_features, double drop)
    : fc1_(register_module("fc1", torch::nn::Linear(in_features, hidden_features))),
      fc2_(register_module("fc2", torch::nn::Linear(hidden_features, in_features))),
      drop_(drop) {}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  const auto dropout = F::DropoutFuncOptions().p(drop_).training(is_training());
  x = F::dropout(F::gelu(ApplyLinear(fc1_, x)), dropout);
  return F::dropout(ApplyLinear(fc2_, x), dropout);
}

}  // namespace foldstack::trainer
