#include "coordinator/sweep/trials.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/trainer_settings.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/samplers/grid.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

absl::Status InFile(const SweepSpec& spec, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(spec.file_name, ": ", status.message()));
}

absl::StatusOr<int64_t> BudgetOf(const SweepSpec& spec) {
  if (spec.count > kMaxTrialsPerSweep) {
    return ErrorAt("count", absl::StrCat("expected at most ", kMaxTrialsPerSweep));
  }
  if (spec.method != "grid") {
    if (spec.count < 1) return ErrorAt("count", absl::StrCat("method ", spec.method, " needs count >= 1"));
    return spec.count;
  }
  absl::StatusOr<std::unique_ptr<GridSampler>> grid = GridSampler::Create(spec.parameters);
  if (!grid.ok()) return grid.status();
  if (spec.count > 0) return std::min<int64_t>(spec.count, (*grid)->size());
  if ((*grid)->size() > kMaxTrialsPerSweep) {
    return ErrorAt("parameters", absl::StrCat("the grid has more than ", kMaxTrialsPerSweep,
                                              " trials; use fewer values or set count"));
  }
  return (*grid)->size();
}

// `pretrained: PATH` resolves like dataset.root (relative to the sweep file) and must name
// a readable safetensors file now, not when a worker first tries it.
absl::Status ResolvePretrained(const std::string& base_dir, json& trial) {
  if (!trial.contains("pretrained") || !trial["pretrained"].is_string()) return absl::OkStatus();
  const std::string given = trial["pretrained"].get<std::string>();
  if (given.empty()) return absl::OkStatus();
  const std::string path = ResolvePath(given, base_dir);
  std::ifstream in(path, std::ios::binary);
  char length[8];
  if (!in || !in.read(length, sizeof(length)) || in.get() != '{') {
    return ErrorAt("parameters.pretrained",
                   absl::StrCat(given, " (", path, "): not a readable safetensors file"));
  }
  trial["pretrained"] = path;
  return absl::OkStatus();
}

}  // namespace

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  std::filesystem::path resolved(path);
  if (resolved.is_relative() && !base_dir.empty()) resolved = std::filesystem::path(base_dir) / resolved;
  return resolved.lexically_normal().string();
}

absl::StatusOr<json> CompleteTrial(const SweepSpec& spec, const std::string& base_dir,
                                   const json& params) {
  if (!spec.program.empty()) return params;  // a program's parameters are its own business
  absl::StatusOr<json> complete = common::CompleteSettings(params);
  if (!complete.ok()) return InFile(spec, ErrorAt("parameters", std::string(complete.status().message())));
  if (absl::Status ok = ResolvePretrained(base_dir, *complete); !ok.ok()) return InFile(spec, ok);
  return complete;
}

absl::StatusOr<std::vector<json>> InitialTrials(const SweepSpec& spec, const std::string& base_dir) {
  absl::StatusOr<int64_t> budget = TrialBudget(spec);
  if (!budget.ok()) return budget.status();
  int64_t first = *budget;
  if (spec.max_concurrent_trials > 0) first = std::min<int64_t>(first, spec.max_concurrent_trials);
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      MakeSampler(spec.method, spec.parameters, spec.sampler_options);
  if (!sampler.ok()) return InFile(spec, sampler.status());
  StudyView empty;
  empty.k = spec.folds.k;
  absl::StatusOr<std::vector<json>> trials = (*sampler)->Ask(empty, spec.seed, static_cast<int>(first));
  if (!trials.ok()) return InFile(spec, trials.status());
  for (json& trial : *trials) {
    absl::StatusOr<json> complete = CompleteTrial(spec, base_dir, trial);
    if (!complete.ok()) return complete.status();
    trial = *std::move(complete);
  }
  return trials;
}

absl::StatusOr<int64_t> TrialBudget(const SweepSpec& spec) {
  absl::StatusOr<int64_t> budget = BudgetOf(spec);
  if (!budget.ok()) return InFile(spec, budget.status());
  return budget;
}

}  // namespace foldstack::sweep
