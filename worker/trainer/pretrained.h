#ifndef FOLDSTACK_WORKER_TRAINER_PRETRAINED_H_
#define FOLDSTACK_WORKER_TRAINER_PRETRAINED_H_

#include <torch/nn/module.h>

#include <string>

#include "absl/status/statusor.h"
#include "worker/trainer/models/model_info.h"

namespace foldstack::trainer {

struct PretrainedLoad {
  int tensors_loaded = 0;
  bool head_reinitialized = false;  // the checkpoint's classifier had another class count
};

// Loads a timm checkpoint (safetensors, F32/F16/BF16) into `model`, built for `info`.
// Strict on every key, as timm's load_pretrained is, except the classifier
// (info.classifier + ".weight"/".bias"): when its shape differs from the model's (a sweep
// with another num_classes), the checkpoint's head is dropped and the model keeps its
// freshly initialized one. A mismatch elsewhere is one line naming the file and listing
// missing, unexpected and wrong-shape keys; nothing is changed then.
absl::StatusOr<PretrainedLoad> LoadPretrained(const std::string& path, const ModelInfo& info,
                                              torch::nn::Module& model);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_PRETRAINED_H_
