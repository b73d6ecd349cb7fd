#include "worker/trainer/model_registry.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/closest_name.h"
#include "worker/trainer/models/efficientnet.h"
#include "worker/trainer/models/convnext.h"
#include "worker/trainer/models/nfnet.h"
#include "worker/trainer/models/resnet.h"
#include "worker/trainer/models/sknet.h"
#include "worker/trainer/models/beit.h"
#include "worker/trainer/models/resnet.h"
#include "worker/trainer/models/swin_transformer.h"
#include "worker/trainer/models/vision_transformer.h"
#include "worker/trainer/models/vision_transformer_hybrid.h"

namespace foldstack::trainer {
namespace {

// One line per family; a family lives in models/<family>.{h,cc} and lists its models.
const std::map<std::string, ModelEntry>& Registry() {
  static const auto* registry = [] {
    auto* rows = new std::map<std::string, ModelEntry>();
    for (auto family : {ResNetModels, SkNetModels, EfficientNetModels, NfNetModels, ConvNextModels, SwinTransformerModels, BeitModels, VisionTransformerModels, DeitModels, VisionTransformerHybridModels}) {
      for (ModelEntry& entry : family()) {
        const std::string name = entry.info.name;
        rows->emplace(name, std::move(entry));
      }
    }
    return rows;
  }();
  return *registry;
}

absl::StatusOr<const ModelEntry*> Find(const std::string& name) {
  auto it = Registry().find(name);
  if (it == Registry().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown model \"", name, "\"; closest known: ",
                                                   absl::StrJoin(common::ClosestNames(name, ModelNames(), 3), ", ")));
  }
  return &it->second;
}

}  // namespace

absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name,
                                                             const ModelOptions& options) {
  absl::StatusOr<const ModelEntry*> entry = Find(name);
  if (!entry.ok()) return entry.status();
  if (options.num_classes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model ", name, ": num_classes must be positive, got ", options.num_classes));
  }
  for (const auto& [key, rate] : {std::pair{"drop_rate", options.drop_rate},
                                  std::pair{"drop_path_rate", options.drop_path_rate}}) {
    if (!(rate >= 0.0 && rate < 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat("model ", name, ": ", key, " must be in [0, 1), got ", rate));
    }
  }
  return (*entry)->build(options);
}

absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name, int num_classes) {
  ModelOptions options;
  options.num_classes = num_classes;
  return CreateModel(name, options);
}

absl::StatusOr<ModelInfo> FindModel(const std::string& name) {
  absl::StatusOr<const ModelEntry*> entry = Find(name);
  if (!entry.ok()) return entry.status();
  return (*entry)->info;
}

std::vector<ModelInfo> ListModels() {
  std::vector<ModelInfo> infos;
  for (const auto& entry : Registry()) infos.push_back(entry.second.info);
  return infos;
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const auto& entry : Registry()) names.push_back(entry.first);
  return names;
}

}  // namespace foldstack::trainer
