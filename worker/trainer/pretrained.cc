#include "worker/trainer/pretrained.h"

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {

absl::StatusOr<PretrainedLoad> LoadPretrained(const std::string& path, const ModelInfo& info,
                                              torch::nn::Module& model) {
  absl::StatusOr<NamedTensors> tensors = LoadSafetensors(path);
  if (!tensors.ok()) return tensors.status();

  std::unordered_map<std::string, torch::Tensor> own;
  for (auto& [name, tensor] : StateDict(model)) own.emplace(name, tensor);
  const std::string head_weight = info.classifier + ".weight";
  const std::string head_bias = info.classifier + ".bias";
  bool new_head = false;
  for (const auto& [name, tensor] : *tensors) {
    if (name != head_weight) continue;
    auto it = own.find(name);
    new_head = it != own.end() && it->second.sizes() != tensor.sizes();
  }

  PretrainedLoad result;
  NamedTensors kept;
  for (auto& entry : *tensors) {
    if (new_head && (entry.first == head_weight || entry.first == head_bias)) continue;
    kept.push_back(std::move(entry));
  }
  if (new_head) {
    // The fresh head stands in for the dropped one, so the strict check still sees it.
    for (const std::string& key : {head_weight, head_bias}) {
      if (own.count(key)) kept.emplace_back(key, own[key].clone());
    }
  }
  absl::Status status = LoadStateDict(model, kept);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  result.tensors_loaded = static_cast<int>(kept.size());
  result.head_reinitialized = new_head;
  return result;
}

}  // namespace foldstack::trainer
