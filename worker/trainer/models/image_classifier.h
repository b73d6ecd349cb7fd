#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_IMAGE_CLASSIFIER_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_IMAGE_CLASSIFIER_H_

#include <torch/nn/module.h>

namespace foldstack::trainer {

// The common face of every model in the registry: a torch module mapping a
// normalized image batch [N, 3, H, W] (float32) to logits [N, num_classes].
// Parameter and buffer names follow timm, so a state dict saved by
// SaveModuleSafetensors loads into timm (and back) unchanged.
class ImageClassifier : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor images) = 0;
  virtual int num_classes() const = 0;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_IMAGE_CLASSIFIER_H_
