#include "coordinator/sweep/sweep_spec.h"

#include <algorithm>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_numbers.h"
#include "common/mask_heads.h"
#include "common/one_line.h"
#include "common/program_command.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/param_sampling.h"
#include "coordinator/sweep/pruners/pruners.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/yaml_to_json.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

// W&B top-level keys that mean nothing here, and why.
struct RefusedKey {
  const char* key;
  const char* reason;
};
constexpr RefusedKey kRefusedKeys[] = {
    {"run_cap", "is not supported: use count to limit the number of trials"},
    {"controller", "is not supported: the foldstack coordinator is the controller"},
    {"job", "is not supported: give your training script as program (and command)"},
    {"image", "is not supported: give your training script as program (and command)"},
};
// W&B account routing: harmless, so accepted and ignored.
const std::vector<std::string> kIgnoredKeys = {"entity", "project"};
const std::vector<std::string> kKnownKeys = {
    "name",    "description",  "method",          "metric",       "parameters",
    "dataset", "folds",        "count",           "seed",         "entity",
    "max_attempts", "project", "labels",          "sampler",      "early_terminate",
    "fold_pruning", "max_concurrent_trials", "program", "command", "resume"};

absl::Status Missing(const std::string& path, const std::string& expected) {
  return ErrorAt(path, absl::StrCat("missing (expected ", expected, ")"));
}

// Assigns *out when `status_or` holds a value; returns its status.
template <typename T, typename U>
absl::Status Assign(absl::StatusOr<T> status_or, U* out) {
  if (!status_or.ok()) return status_or.status();
  *out = static_cast<U>(*std::move(status_or));
  return absl::OkStatus();
}

// An integer in [min, max] stored in an int; absent keys leave `out` alone.
absl::Status ParseSmallInt(const json& object, const char* key, const std::string& path,
                           int64_t min, int64_t max, int& out) {
  if (!object.contains(key)) return absl::OkStatus();
  absl::StatusOr<int64_t> value = ReadInt(object[key], path, min);
  if (value.ok() && *value > max) {
    return ErrorAt(path, absl::StrCat("expected at most ", max, ", got ", *value));
  }
  return Assign(std::move(value), &out);
}

// A program may report metrics of any name; the built-in trainer reports TrainerMetricNames().
absl::Status ParseMetric(const json& metric, bool program, MetricSpec& out) {
  if (absl::Status ok = RequireObject(metric, "metric"); !ok.ok()) return ok;
  if (absl::Status ok = CheckKeys(metric, "metric", {"name", "goal"}); !ok.ok()) return ok;
  if (metric.contains("name")) {
    absl::Status ok = Assign(program ? ReadString(metric["name"], "metric.name")
                                     : ReadString(metric["name"], "metric.name", TrainerMetricNames()),
                             &out.name);
    if (ok.ok() && out.name.empty()) ok = ErrorAt("metric.name", "expected a metric name, got \"\"");
    if (!ok.ok()) return ok;
  }
  out.goal = absl::EndsWith(out.name, "_loss") ? "minimize" : "maximize";
  if (!metric.contains("goal")) return absl::OkStatus();
  return Assign(ReadString(metric["goal"], "metric.goal", {"maximize", "minimize"}), &out.goal);
}

absl::StatusOr<ExtraTrainSpec> ParseExtraTrainSet(const json& set, const std::string& path) {
  if (absl::Status ok = RequireObject(set, path); !ok.ok()) return ok;
  if (absl::Status ok = CheckKeys(set, path, {"root", "weight"}); !ok.ok()) return ok;
  if (!set.contains("root")) return Missing(path + ".root", "the extra dataset's directory");
  ExtraTrainSpec out;
  absl::Status ok = Assign(ReadString(set["root"], path + ".root"), &out.root);
  if (ok.ok() && set.contains("weight")) ok = Assign(ReadNumber(set["weight"], path + ".weight"), &out.weight);
  if (!ok.ok()) return ok;
  if (!(out.weight > 0.0 && out.weight <= 1.0)) {
    return ErrorAt(path + ".weight", absl::StrCat("expected a number in (0, 1], got ", common::DescribeJson(set["weight"])));
  }
  return out;
}

// extra_train: [{root: DIR, weight: W}, ...]
absl::Status ParseExtraTrain(const json& list, std::vector<ExtraTrainSpec>& out) {
  if (!list.is_array()) {
    return ErrorAt("dataset.extra_train", absl::StrCat("expected a list of {root: DIR, weight: W}, got ",
                                                       common::DescribeJson(list)));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    absl::StatusOr<ExtraTrainSpec> set = ParseExtraTrainSet(list[i], absl::StrCat("dataset.extra_train[", i, "]"));
    if (!set.ok()) return set.status();
    out.push_back(*std::move(set));
  }
  return absl::OkStatus();
}

absl::Status ParseDataset(const json& dataset, DatasetSpec& out) {
  if (dataset.is_null()) return Missing("dataset", "{kind: mask | fashion_mnist, root: DIR}");
  if (absl::Status ok = RequireObject(dataset, "dataset"); !ok.ok()) return ok;
  if (absl::Status ok = CheckKeys(dataset, "dataset", {"kind", "root", "max_samples", "extra_train"}); !ok.ok()) {
    return ok;
  }
  if (!dataset.contains("kind")) return Missing("dataset.kind", "one of mask, fashion_mnist");
  if (!dataset.contains("root")) return Missing("dataset.root", "the dataset's directory");
  absl::Status ok =
      Assign(ReadString(dataset["kind"], "dataset.kind", {"mask", "fashion_mnist"}), &out.kind);
  if (ok.ok()) ok = Assign(ReadString(dataset["root"], "dataset.root"), &out.root);
  if (ok.ok() && dataset.contains("max_samples")) {
    ok = Assign(ReadInt(dataset["max_samples"], "dataset.max_samples", 0), &out.max_samples);
  }
  if (ok.ok() && dataset.contains("extra_train")) ok = ParseExtraTrain(dataset["extra_train"], out.extra_train);
  return ok;
}

absl::Status ParseFolds(const json& folds, FoldSpec& out) {
  if (absl::Status ok = RequireObject(folds, "folds"); !ok.ok()) return ok;
  if (absl::Status ok = CheckKeys(folds, "folds", {"k", "seed", "group_by", "stratify"});
      !ok.ok()) {
    return ok;
  }
  absl::Status ok = ParseSmallInt(folds, "k", "folds.k", 2, 1000, out.k);
  if (ok.ok() && folds.contains("seed")) {
    ok = Assign(ReadInt(folds["seed"], "folds.seed", 0), &out.seed);
  }
  if (ok.ok() && folds.contains("group_by")) {
    ok = Assign(ReadString(folds["group_by"], "folds.group_by", {"person", "none"}),
                &out.group_by);
  }
  if (ok.ok() && folds.contains("stratify")) {
    ok = Assign(ReadBool(folds["stratify"], "folds.stratify"), &out.stratify);
  }
  return ok;
}

// labels: latest | original | N (a label version number, 0 = original).
absl::Status ParseLabels(const json& labels, int64_t& out) {
  if (labels.is_string() && labels == "latest") {
    out = kLatestLabels;
  } else if (labels.is_string() && labels == "original") {
    out = 0;
  } else if (labels.is_number()) {
    return Assign(ReadInt(labels, "labels", 0), &out);
  } else {
    return ErrorAt("labels", absl::StrCat("expected latest, original or a label version number, got ",
                                          common::DescribeJson(labels)));
  }
  return absl::OkStatus();
}

absl::Status ParseParameters(const json& parameters, const std::string& method, bool program,
                             std::map<std::string, ParamSpec>& out) {
  if (parameters.is_null()) return Missing("parameters", program ? "at least one parameter" : "at least one trainer setting");
  if (absl::Status ok = RequireObject(parameters, "parameters"); !ok.ok()) return ok;
  if (parameters.empty()) return ErrorAt("parameters", "expected at least one parameter");
  for (const auto& [name, config] : parameters.items()) {
    absl::StatusOr<ParamSpec> spec = ParseParamSpec(name, config, program);
    if (!spec.ok()) return spec.status();
    // A grid must be enumerable: refuse distributions now, not at expansion.
    if (method == "grid") {
      if (absl::Status ok = GridValues(*spec).status(); !ok.ok()) return ok;
    }
    out.emplace(name, *std::move(spec));
  }
  return absl::OkStatus();
}

// sampler, early_terminate, fold_pruning (mappings, checked by their makers) and
// max_concurrent_trials.
absl::Status ParseEngine(const json& root, SweepSpec& spec) {
  for (const char* key : {"sampler", "early_terminate", "fold_pruning"}) {
    if (root.contains(key)) {
      if (absl::Status ok = RequireObject(root[key], key); !ok.ok()) return ok;
    }
  }
  spec.sampler_options = Field(root, "sampler");
  spec.early_terminate = Field(root, "early_terminate");
  spec.fold_pruning = Field(root, "fold_pruning");
  spec.max_concurrent_trials = DefaultMaxConcurrentTrials(spec.method);
  absl::Status ok = ParseSmallInt(root, "max_concurrent_trials", "max_concurrent_trials", 1,
                                  kMaxTrialsPerSweep, spec.max_concurrent_trials);
  if (!ok.ok()) return ok;
  return MakePruner(spec.early_terminate, spec.fold_pruning).status();
}

// program: PATH (resolved against the sweep file's folder when the sweep is submitted); command:
// a list of words with W&B's macros (common/program_command.h); resume: true | false.
absl::Status ParseProgram(const json& root, SweepSpec& spec) {
  absl::Status ok;
  if (root.contains("program")) ok = Assign(ReadString(root["program"], "program"), &spec.program);
  if (ok.ok() && root.contains("program") && spec.program.empty()) {
    ok = ErrorAt("program", "expected the path of a training script, got \"\"");
  }
  if (ok.ok() && root.contains("resume")) ok = Assign(ReadBool(root["resume"], "resume"), &spec.resume);
  if (!ok.ok() || !root.contains("command")) return ok;
  if (spec.program.empty()) return ErrorAt("command", "needs program: the script the command runs");
  const json& command = root["command"];
  if (!command.is_array() || command.empty()) {
    return ErrorAt("command", absl::StrCat("expected a list of words, got ", common::DescribeJson(command)));
  }
  for (size_t i = 0; i < command.size(); ++i) {
    if (!command[i].is_string() && !command[i].is_number()) {
      return ErrorAt(absl::StrCat("command[", i, "]"),
                     absl::StrCat("expected a word, got ", common::DescribeJson(command[i])));
    }
    spec.command.push_back(command[i].is_string() ? command[i].get<std::string>() : command[i].dump());
  }
  common::ProgramCommandInputs probe;
  probe.command = spec.command;
  probe.program = spec.program;
  probe.params = json::object({{"p", 1}});
  absl::Status expands = common::ExpandProgramCommand(probe).status();
  return expands.ok() ? expands : ErrorAt("command", std::string(expands.message()));
}

absl::Status CheckTopLevelKeys(const json& root) {
  for (const auto& item : root.items()) {
    for (const RefusedKey& refused : kRefusedKeys) {
      if (item.key() == refused.key) return ErrorAt(item.key(), refused.reason);
    }
  }
  return CheckKeys(root, "", kKnownKeys);
}

// A head task (mask, gender, age, age_regression) splits the mask task's 18 classes: refused for
// another dataset here, rather than by every job at its start.
absl::Status CheckTaskFitsDataset(const SweepSpec& spec) {
  auto it = spec.parameters.find("task");
  if (spec.dataset.kind == "mask" || it == spec.parameters.end() || it->second.program_parameter) {
    return absl::OkStatus();
  }
  const ParamSpec& param = it->second;
  const std::vector<json> values = param.kind == ParamKind::kConstant ? std::vector<json>{param.value} : param.values;
  for (const json& value : values) {
    const std::optional<common::TrainTask> task =
        value.is_string() ? common::ParseTrainTask(value.get<std::string>()) : std::nullopt;
    if (task && common::HeadOfTask(*task)) {
      return ErrorAt("parameters.task", absl::StrCat("\"", value.get<std::string>(), "\" needs the mask dataset's 18 ",
                                                     "classes (mask x gender x age); dataset.kind is ",
                                                     spec.dataset.kind));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseRoot(const json& root, SweepSpec& spec) {
  if (root.is_null()) {
    return ErrorAt("", "empty sweep file (expected a mapping with method, dataset, parameters)");
  }
  if (absl::Status ok = RequireObject(root, ""); !ok.ok()) return ok;
  if (absl::Status ok = CheckTopLevelKeys(root); !ok.ok()) return ok;
  absl::Status ok;
  if (root.contains("name")) ok = Assign(ReadString(root["name"], "name"), &spec.name);
  if (ok.ok() && root.contains("description")) {
    if (!root["description"].is_string()) {
      return ErrorAt("description", absl::StrCat("expected a string, got ",
                                                 common::DescribeJson(root["description"])));
    }
    spec.description = root["description"].get<std::string>();
  }
  if (!ok.ok()) return ok;
  if (!root.contains("method")) return Missing("method", absl::StrJoin(SamplerNames(), ", "));
  ok = Assign(ReadString(root["method"], "method", SamplerNames()), &spec.method);
  if (ok.ok()) ok = ParseProgram(root, spec);
  if (ok.ok() && root.contains("metric")) ok = ParseMetric(root["metric"], !spec.program.empty(), spec.metric);
  if (ok.ok()) ok = ParseDataset(Field(root, "dataset"), spec.dataset);
  if (ok.ok() && !spec.program.empty() && !spec.dataset.extra_train.empty()) {
    ok = ErrorAt("dataset.extra_train", "not supported with program (only the built-in trainer reads it)");
  }
  if (ok.ok() && root.contains("folds")) ok = ParseFolds(root["folds"], spec.folds);
  if (ok.ok()) ok = ParseSmallInt(root, "count", "count", 1, kMaxTrialsPerSweep, spec.count);
  if (ok.ok() && root.contains("seed")) ok = Assign(ReadInt(root["seed"], "seed", 0), &spec.seed);
  if (ok.ok()) ok = ParseSmallInt(root, "max_attempts", "max_attempts", 1, 1000, spec.max_attempts);
  if (ok.ok() && root.contains("labels")) ok = ParseLabels(root["labels"], spec.label_version);
  if (ok.ok()) ok = ParseEngine(root, spec);
  if (!ok.ok()) return ok;
  if (spec.method != "grid" && spec.count == 0) {
    return Missing("count", absl::StrCat("the number of trials; method ", spec.method, " needs it"));
  }
  ok = ParseParameters(Field(root, "parameters"), spec.method, !spec.program.empty(), spec.parameters);
  if (ok.ok()) ok = CheckTaskFitsDataset(spec);
  // The method's options and the space together (e.g. what bayes cannot model).
  if (ok.ok()) ok = MakeSampler(spec.method, spec.parameters, spec.sampler_options).status();
  return ok;
}

// "experiments/quickstart.yaml" -> "quickstart".
std::string NameFromFile(std::string_view file_name) {
  std::string_view base = file_name.substr(file_name.find_last_of('/') + 1);
  base = base.substr(0, base.find_last_of('.'));
  return base.empty() ? "sweep" : std::string(base);
}

}  // namespace

const std::vector<std::string>& TrainerMetricNames() {
  static const auto* names =
      new std::vector<std::string>{"val_macro_f1", "val_accuracy", "val_loss", "train_loss"};
  return *names;
}

absl::StatusOr<SweepSpec> ParseSweepJson(std::string_view file_name, const json& root) {
  SweepSpec spec;
  spec.file_name = std::string(file_name);
  spec.name = NameFromFile(file_name);
  if (absl::Status ok = ParseRoot(root, spec); !ok.ok()) {
    // The messages quote keys and values, whose JSON strings may hold control characters.
    return absl::InvalidArgumentError(absl::StrCat(spec.file_name, ": ", common::Printable(std::string(ok.message()), 4000)));
  }
  return spec;
}

absl::StatusOr<SweepSpec> ParseSweepYaml(std::string_view file_name, std::string_view yaml_text) {
  absl::StatusOr<json> root = YamlToJson(yaml_text);
  if (!root.ok()) {
    // YamlToJson's message starts with "LINE:COLUMN: ".
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(file_name), ":", root.status().message()));
  }
  return ParseSweepJson(file_name, *root);
}

}  // namespace foldstack::sweep
