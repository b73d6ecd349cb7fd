#ifndef FOLDSTACK_WORKER_TRAINER_STATE_DICT_H_
#define FOLDSTACK_WORKER_TRAINER_STATE_DICT_H_

#include <torch/nn/module.h>

#include <map>
#include <string>

#include "absl/status/status.h"
#include "worker/trainer/safetensors.h"

namespace foldstack::trainer {

// The module's parameters and buffers in PyTorch's state_dict() order: modules
// in registration pre-order, each contributing its own parameters, then its own
// buffers (e.g. "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
// "bn1.num_batches_tracked"). The tensors alias the module's storage.
NamedTensors StateDict(const torch::nn::Module& module);

// Copies `tensors` into the module's parameters and buffers, strictly: when a
// key is missing, unexpected or has the wrong shape, nothing is changed and one
// line lists them all, e.g.
//   state dict mismatch: missing [fc.bias]; unexpected [head.weight]; wrong shape [fc.weight: file [10, 512] vs model [18, 512]]
// Values are converted to the module's dtype and device. A missing
// "*.num_batches_tracked" is tolerated (PyTorch's BatchNorm does the same).
absl::Status LoadStateDict(torch::nn::Module& module, const NamedTensors& tensors);

// StateDict + SaveSafetensors, and LoadSafetensors + LoadStateDict (errors are
// prefixed with the path).
absl::Status SaveModuleSafetensors(const std::string& path, const torch::nn::Module& module,
                                   const std::map<std::string, std::string>& metadata = {});
absl::Status LoadModuleSafetensors(const std::string& path, torch::nn::Module& module);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_STATE_DICT_H_
