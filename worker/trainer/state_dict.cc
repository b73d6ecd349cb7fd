#include "worker/trainer/state_dict.h"

#include <unordered_map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace foldstack::trainer {
namespace {

std::string ShapeText(const torch::Tensor& t) { return absl::StrCat("[", absl::StrJoin(t.sizes(), ", "), "]"); }

}  // namespace

NamedTensors StateDict(const torch::nn::Module& module) {
  NamedTensors result;
  for (const auto& item : module.named_modules(/*name_prefix=*/"", /*include_self=*/true)) {
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& param : item.value()->named_parameters(/*recurse=*/false)) {
      result.emplace_back(prefix + param.key(), param.value());
    }
    for (const auto& buffer : item.value()->named_buffers(/*recurse=*/false)) {
      result.emplace_back(prefix + buffer.key(), buffer.value());
    }
  }
  return result;
}

absl::Status LoadStateDict(torch::nn::Module& module, const NamedTensors& tensors) {
  std::unordered_map<std::string, const torch::Tensor*> given;
  for (const auto& [name, tensor] : tensors) given[name] = &tensor;

  const NamedTensors targets = StateDict(module);
  std::vector<std::string> missing, unexpected, wrong_shape;
  std::unordered_map<std::string, bool> known;
  for (const auto& [name, target] : targets) {
    known[name] = true;
    auto it = given.find(name);
    if (it == given.end()) {
      // As PyTorch's BatchNorm loading does: checkpoints written without the step
      // counter (many timm files) keep the model's own.
      if (!absl::EndsWith(name, ".num_batches_tracked")) missing.push_back(name);
    } else if (it->second->sizes() != target.sizes()) {
      wrong_shape.push_back(absl::StrCat(name, ": file ", ShapeText(*it->second), " vs model ", ShapeText(target)));
    }
  }
  for (const auto& [name, tensor] : tensors) {
    if (!known.count(name)) unexpected.push_back(name);
  }
  if (!missing.empty() || !unexpected.empty() || !wrong_shape.empty()) {
    std::vector<std::string> parts;
    if (!missing.empty()) parts.push_back(absl::StrCat("missing [", absl::StrJoin(missing, ", "), "]"));
    if (!unexpected.empty()) parts.push_back(absl::StrCat("unexpected [", absl::StrJoin(unexpected, ", "), "]"));
    if (!wrong_shape.empty()) parts.push_back(absl::StrCat("wrong shape [", absl::StrJoin(wrong_shape, "; "), "]"));
    return absl::InvalidArgumentError(absl::StrCat("state dict mismatch: ", absl::StrJoin(parts, "; ")));
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    auto it = given.find(name);
    if (it == given.end()) continue;  // a tolerated num_batches_tracked
    torch::Tensor destination = target;  // shares storage with the module
    destination.copy_(it->second->to(destination.options()));
  }
  return absl::OkStatus();
}

absl::Status SaveModuleSafetensors(const std::string& path, const torch::nn::Module& module,
                                   const std::map<std::string, std::string>& metadata) {
  return SaveSafetensors(path, StateDict(module), metadata);
}

absl::Status LoadModuleSafetensors(const std::string& path, torch::nn::Module& module) {
  absl::StatusOr<NamedTensors> tensors = LoadSafetensors(path);
  if (!tensors.ok()) return tensors.status();
  absl::Status status = LoadStateDict(module, *tensors);
  if (!status.ok()) return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  return absl::OkStatus();
}

}  // namespace foldstack::trainer
