#include "coordinator/sweep/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/samplers/bayes.h"
#include "coordinator/sweep/samplers/grid.h"
#include "coordinator/sweep/samplers/random.h"
#include "coordinator/sweep/samplers/tpe.h"

namespace foldstack::sweep {
namespace {

absl::Status NoOptions(const std::string& method, const nlohmann::json& options) {
  if (options.is_null() || (options.is_object() && options.empty())) return absl::OkStatus();
  return ErrorAt("sampler", absl::StrCat("method ", method, " takes no options"));
}

}  // namespace

const std::vector<std::string>& SamplerNames() {
  static const auto* names = new std::vector<std::string>{"grid", "random", "tpe", "bayes"};
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
  if (method == "tpe") {
    absl::StatusOr<TpeOptions> tpe = ParseTpeOptions(options);
    if (!tpe.ok()) return tpe.status();
    return std::unique_ptr<Sampler>(new TpeSampler(space, *tpe));
  }
  if (method == "bayes") {
    absl::StatusOr<BayesOptions> bayes = ParseBayesOptions(options);
    if (!bayes.ok()) return bayes.status();
    if (absl::Status ok = CheckBayesSpace(space); !ok.ok()) return ok;
    return std::unique_ptr<Sampler>(new BayesSampler(space, *bayes));
  }
  return ErrorAt("method", absl::StrCat("expected one of ", absl::StrJoin(SamplerNames(), ", "),
                                        "; got \"", method, "\""));
}

int DefaultMaxConcurrentTrials(const std::string& method) {
  return method == "grid" || method == "random" ? 0 : 4;
}

}  // namespace foldstack::sweep
