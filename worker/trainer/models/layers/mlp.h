#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MLP_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MLP_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace foldstack::trainer {

// timm's layers.Mlp as used by ViT, Swin and BEiT: fc1 -> GELU (exact, erf) -> dropout
// -> fc2 -> dropout. State-dict keys: fc1.weight, fc1.bias, fc2.weight, fc2.bias.
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int in_features, int hidden_features, double drop = 0.0);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Linear fc1_{nullptr};
  torch::nn::Linear fc2_{nullptr};
  double drop_;
};
TORCH_MODULE(Mlp);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_LAYERS_MLP_H_
