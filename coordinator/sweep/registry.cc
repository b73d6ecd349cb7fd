#include "coordinator/sweep/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/samplers/grid.h"
#include "coordinator/sweep/samplers/random.h"

namespace foldstack::sweep {
namespace {

absl::Status NoOptions(const std::string& method, const nlohmann::json& options) {
  if (options.is_null() || (options.is_object() && options.empty())) return absl::OkStatus();
  return ErrorAt("sampler", absl::StrCat("method ", method, " takes no options"));
}

}  // namespace

const std::vector<std::string>& SamplerNames() {
  static const auto* names = new std::vector<std::string>{"grid", "random"};
  return *names;
}

absl::StatusOr<std::unique_ptr<Sampler>> MakeSampler(const std::string& method,
                                                     const SearchSpace& space,
                                                     const nlohmann::json& options) {
  if (method == "grid" || method == "random") {
    if (absl::Status ok = NoOptions(method, options); !ok.ok()) return ok;
  }
  if (method == "grid") {
    absl::StatusOr<std::unique_ptr<GridSampler>> grid = GridSampler::Create(space);
    if (!grid.ok()) return grid.status();
    return std::unique_ptr<Sampler>(*std::move(grid));
  }
  if (method == "random") return std::unique_ptr<Sampler>(new RandomSampler(space));
  return ErrorAt("method", absl::StrCat("expected one of ", absl::StrJoin(SamplerNames(), ", "),
                                        "; got \"", method, "\""));
}

int DefaultMaxConcurrentTrials(const std::string& method) {
  return method == "grid" || method == "random" ? 0 : 4;
}

}  // namespace foldstack::sweep
