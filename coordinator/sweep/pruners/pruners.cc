#include "coordinator/sweep/pruners/pruners.h"

#include <string>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/pruners/asha_pruner.h"
#include "coordinator/sweep/pruners/fold_pruner.h"
#include "coordinator/sweep/pruners/hyperband_pruner.h"
#include "coordinator/sweep/pruners/median_pruner.h"

namespace foldstack::sweep {
namespace {

absl::StatusOr<std::unique_ptr<Pruner>> MakeEarlyTerminate(const nlohmann::json& config) {
  const std::string path = "early_terminate";
  FS_RETURN_IF_ERROR(RequireObject(config, path));
  FS_ASSIGN_OR_RETURN(
      const std::string type,
      ReadString(Field(config, "type"), JoinPath(path, "type"), {"hyperband", "asha", "median"}));
  if (type == "hyperband") {
    FS_ASSIGN_OR_RETURN(HyperbandOptions options, HyperbandOptions::Parse(config, path));
    return std::make_unique<HyperbandPruner>(options);
  }
  if (type == "asha") {
    FS_ASSIGN_OR_RETURN(AshaOptions options, AshaOptions::Parse(config, path));
    return std::make_unique<AshaPruner>(options);
  }
  FS_ASSIGN_OR_RETURN(MedianOptions options, MedianOptions::Parse(config, path));
  return std::make_unique<MedianPruner>(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> MakePruner(const nlohmann::json& early_terminate,
                                                   const nlohmann::json& fold_pruning) {
  std::vector<std::unique_ptr<Pruner>> parts;
  if (!early_terminate.is_null()) {
    FS_ASSIGN_OR_RETURN(std::unique_ptr<Pruner> part, MakeEarlyTerminate(early_terminate));
    parts.push_back(std::move(part));
  }
  if (!fold_pruning.is_null()) {
    FS_ASSIGN_OR_RETURN(FoldPruningOptions options,
                        FoldPruningOptions::Parse(fold_pruning, "fold_pruning"));
    parts.push_back(std::make_unique<FoldPruner>(options));
  }
  if (parts.empty()) return std::make_unique<Pruner>();
  return std::make_unique<CompositePruner>(std::move(parts));
}

}  // namespace foldstack::sweep
