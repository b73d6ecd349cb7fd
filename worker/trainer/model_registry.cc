#include "worker/trainer/model_registry.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/closest_name.h"
#include "worker/trainer/models/resnet.h"

namespace foldstack::trainer {
namespace {

using Builder = std::function<std::shared_ptr<ImageClassifier>(int num_classes)>;

// One line per model; a new family adds a models/<family>.{h,cc} and lines here.
const std::map<std::string, Builder>& Registry() {
  static const auto* registry = new std::map<std::string, Builder>{
      {"resnet18", [](int n) { return MakeBasicBlockResNet({{2, 2, 2, 2}}, n); }},
      {"resnet34", [](int n) { return MakeBasicBlockResNet({{3, 4, 6, 3}}, n); }},
  };
  return *registry;
}

// Up to three known names, nearest first (ties alphabetical).
std::vector<std::string> ClosestNames(const std::string& name) {
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& entry : Registry()) ranked.emplace_back(common::EditDistance(name, entry.first), entry.first);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> closest;
  for (size_t i = 0; i < ranked.size() && i < 3; ++i) closest.push_back(ranked[i].second);
  return closest;
}

}  // namespace

absl::StatusOr<std::shared_ptr<ImageClassifier>> CreateModel(const std::string& name,
                                                             int num_classes) {
  auto it = Registry().find(name);
  if (it == Registry().end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown model \"", name, "\"; closest known: ",
                                                   absl::StrJoin(ClosestNames(name), ", ")));
  }
  if (num_classes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model ", name, ": num_classes must be positive, got ", num_classes));
  }
  return it->second(num_classes);
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const auto& entry : Registry()) names.push_back(entry.first);
  return names;
}

}  // namespace foldstack::trainer
