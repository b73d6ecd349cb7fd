#include "coordinator/managers/request_checks.h"
#include "coordinator/submission/sweep_submitter.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "coordinator/split/kfold.h"
#include "coordinator/sweep/sweep_spec.h"
#include "coordinator/sweep/pruners/pruners.h"
#include "coordinator/sweep/trials.h"
#include "data/dataset.h"

namespace foldstack::coordinator {
namespace {

absl::Status Prefixed(const std::string& prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

// The spec's scheduling-relevant parts, stored beside the YAML for analysts and later tools.
// `program` is stored resolved (absolute): workers run it from there.
std::string SpecJson(const sweep::SweepSpec& spec, const std::string& root, const std::string& program,
                     const nlohmann::json& extra_train, size_t trials) {
  nlohmann::json json = {
      {"name", spec.name},
      {"method", spec.method},
      {"metric", {{"name", spec.metric.name}, {"goal", spec.metric.goal}}},
      {"dataset", {{"kind", spec.dataset.kind}, {"root", root}, {"max_samples", spec.dataset.max_samples}}},
      {"folds",
       {{"k", spec.folds.k}, {"seed", spec.folds.seed}, {"group_by", spec.folds.group_by},
        {"stratify", spec.folds.stratify}}},
      {"count", spec.count},
      {"sampler", spec.sampler_options},
      {"early_terminate", spec.early_terminate},
      {"fold_pruning", spec.fold_pruning},
      {"max_concurrent_trials", spec.max_concurrent_trials},
      {"seed", spec.seed},
      {"max_attempts", spec.max_attempts},
      {"labels", spec.label_version == sweep::kLatestLabels ? nlohmann::json("latest")
                                                            : nlohmann::json(spec.label_version)},
      {"trials", trials},
      {"resume", spec.resume},
  };
  if (!extra_train.empty()) json["dataset"]["extra_train"] = extra_train;
  if (!program.empty()) {
    json["program"] = program;
    json["command"] = spec.command;
  }
  return json.dump();
}

// The program must be visible here as it must be on the workers, as datasets are: a missing file
// is refused now rather than failing every job.
absl::StatusOr<std::string> ResolveProgram(const std::string& file, const std::string& program,
                                           const std::string& base_dir) {
  if (program.empty()) return program;
  const std::string path = sweep::ResolvePath(program, base_dir);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": program: ", program, " (", path, "): no such file"));
  }
  return path;
}

// The extra training sets, resolved and checked (a directory in the main dataset's layout, no
// person also in the main dataset: a shared person would be trained on while held out), as the
// stored spec lists them: [{root (absolute), weight, samples}]. They are not part of the split.
absl::StatusOr<nlohmann::json> ResolveExtraTrain(const std::string& file, const sweep::DatasetSpec& dataset,
                                                 data::DatasetKind kind, const data::DatasetIndex& main,
                                                 const std::string& base_dir) {
  // A mask group is the person's folder, <id>_<gender>_<race>_<age>: the id names the person.
  auto person = [](const std::string& group) { return group.substr(0, group.find('_')); };
  std::set<std::string> people;
  for (const data::Sample& sample : main.samples) people.insert(person(sample.group));
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < dataset.extra_train.size(); ++i) {
    const sweep::ExtraTrainSpec& extra = dataset.extra_train[i];
    const std::string key = absl::StrCat(file, ": dataset.extra_train[", i, "].root: ");
    const std::string root = ResolveDatasetRoot(extra.root, base_dir);
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
      return absl::InvalidArgumentError(absl::StrCat(key, extra.root, " (", root, "): no such directory"));
    }
    absl::StatusOr<data::DatasetIndex> index = data::LoadDatasetIndex(kind, root);
    if (!index.ok()) return Prefixed(key, index.status());
    if (index->num_classes != main.num_classes) {
      return absl::InvalidArgumentError(absl::StrCat(key, root, ": ", index->num_classes, " classes, expected ",
                                                     main.num_classes, " as in dataset.root"));
    }
    for (const data::Sample& sample : index->samples) {
      if (kind == data::DatasetKind::kMask && people.count(person(sample.group)) > 0) {
        return absl::InvalidArgumentError(absl::StrCat(key, root, ": person ", person(sample.group), " (",
                                                       sample.group, ") is also in dataset.root (expected other people)"));
      }
    }
    out.push_back({{"root", root}, {"weight", extra.weight}, {"samples", index->samples.size()}});
  }
  return out;
}

}  // namespace

std::string ResolveDatasetRoot(const std::string& root, const std::string& base_dir) {
  return sweep::ResolvePath(root, base_dir);
}

absl::StatusOr<v1::SubmitSweepResponse> SweepSubmitter::Submit(const v1::SubmitSweepRequest& request,
                                                               const std::string& submitted_by) {
  if (absl::Status checked = coordinator::CheckRequest(request); !checked.ok()) return checked;
  const std::string file = request.file_name().empty() ? "sweep.yaml" : request.file_name();
  absl::StatusOr<sweep::SweepSpec> spec = sweep::ParseSweepYaml(file, request.yaml());
  if (!spec.ok()) return spec.status();

  const std::string root = ResolveDatasetRoot(spec->dataset.root, request.base_dir());
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": dataset.root: ", spec->dataset.root, " (", root, "): no such directory"));
  }
  absl::StatusOr<data::DatasetKind> kind = data::ParseDatasetKind(spec->dataset.kind);
  if (!kind.ok()) return Prefixed(absl::StrCat(file, ": dataset.kind: "), kind.status());
  data::LoadOptions load_options;
  load_options.max_samples = spec->dataset.max_samples;
  absl::StatusOr<data::DatasetIndex> index = data::LoadDatasetIndex(*kind, root, load_options);
  if (!index.ok()) return Prefixed(absl::StrCat(file, ": dataset: "), index.status());

  absl::StatusOr<std::string> program = ResolveProgram(file, spec->program, request.base_dir());
  if (!program.ok()) return program.status();
  absl::StatusOr<nlohmann::json> extra_train =
      ResolveExtraTrain(file, spec->dataset, *kind, *index, request.base_dir());
  if (!extra_train.ok()) return extra_train.status();

  absl::StatusOr<int64_t> budget = sweep::TrialBudget(*spec);
  if (!budget.ok()) return budget.status();
  absl::StatusOr<std::vector<nlohmann::json>> trials = sweep::InitialTrials(*spec, request.base_dir());
  if (!trials.ok()) return trials.status();
  absl::StatusOr<std::unique_ptr<sweep::Pruner>> pruner =
      sweep::MakePruner(spec->early_terminate, spec->fold_pruning);
  if (!pruner.ok()) return Prefixed(absl::StrCat(file, ": "), pruner.status());

  NewSweep sweep;
  sweep.name = spec->name;
  sweep.yaml = request.yaml();
  sweep.spec_json = SpecJson(*spec, root, *program, *extra_train, static_cast<size_t>(*budget));
  sweep.dataset.kind = data::DatasetKindName(*kind);
  sweep.dataset.root = root;
  sweep.dataset.num_classes = index->num_classes;
  sweep.dataset.samples.reserve(index->samples.size());
  for (const data::Sample& sample : index->samples) {
    sweep.dataset.samples.push_back({sample.key, sample.label, sample.group});
  }
  sweep.split.k = spec->folds.k;
  sweep.split.seed = static_cast<int64_t>(spec->folds.seed);
  sweep.split.group_by = spec->folds.group_by;
  sweep.split.stratify = spec->folds.stratify;
  sweep.assign_folds = [file](const DatasetRecord& dataset,
                              const SplitParams& params) -> absl::StatusOr<std::vector<int32_t>> {
    std::vector<int> labels;
    std::vector<std::string> groups;
    for (const SampleRecord& sample : dataset.samples) {
      labels.push_back(sample.label);
      groups.push_back(sample.group);
    }
    split::KFoldOptions options;
    options.k = params.k;
    options.seed = static_cast<uint64_t>(params.seed);
    options.group = params.group_by != "none";
    options.stratify = params.stratify;
    absl::StatusOr<std::vector<int>> folds = split::AssignFolds(labels, groups, options);
    if (!folds.ok()) return Prefixed(absl::StrCat(file, ": folds: "), folds.status());
    return std::vector<int32_t>(folds->begin(), folds->end());
  };
  for (const nlohmann::json& trial : *trials) sweep.trial_params_json.push_back(trial.dump());
  sweep.trial_budget = *budget;
  sweep.max_concurrent_trials = spec->max_concurrent_trials;
  sweep.gate_folds = std::min((*pruner)->GateFolds(), spec->folds.k);
  sweep.base_dir = request.base_dir();
  sweep.metric = spec->metric.name;
  sweep.minimize = spec->metric.goal == "minimize";
  sweep.max_attempts = spec->max_attempts;
  sweep.submitted_by = submitted_by;
  sweep.label_version = spec->label_version;
  sweep.file_name = file;
  return sweeps_->CreateSweep(sweep);
}

}  // namespace foldstack::coordinator
