#include "coordinator/sweep/sweep_spec.h"

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

constexpr char kQuickstart[] = R"(name: quickstart
method: grid
metric: {name: val_macro_f1, goal: maximize}
dataset: {kind: mask, root: .quickstart/data}
folds: {k: 3, seed: 0, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {values: [adam, sgd]}
  lr: {value: 0.002}
  epochs: {value: 3}
  batch_size: {value: 32}
  image_size: {value: 64}
)";

// A realistic random sweep, written as a W&B user would.
constexpr char kRandomSweep[] = R"(# Mask classification, random search.
description: >
  ResNet random search on the mask data.
entity: my-team      # W&B routing: ignored
project: masks
method: random
count: 24
seed: 17
max_attempts: 5
metric:
  name: val_loss
dataset:
  kind: fashion_mnist
  root: /data/fmnist
  max_samples: 5000
folds:
  k: 5
  group_by: none
  stratify: false
parameters:
  model:
    values: [resnet18, resnet34]
    probabilities: [0.7, 0.3]
  optimizer:
    distribution: categorical
    values: [sgd, adam]
  lr:
    distribution: log_uniform_values
    min: 1e-4
    max: 0.1
  momentum:
    min: 0.8
    max: 0.99
  weight_decay:
    distribution: q_log_uniform_values
    min: 0.00001
    max: 0.01
    q: 0.00001
  epochs:
    min: 2
    max: 6
  batch_size:
    distribution: q_log_uniform_values
    min: 16
    max: 128
    q: 16
  image_size:
    distribution: q_uniform
    min: 64
    max: 256
    q: 32
  seed:
    distribution: constant
    value: 3
)";

std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("sweep.yaml", yaml);
  EXPECT_FALSE(spec.ok()) << yaml;
  return std::string(spec.status().message());
}

// Replaces the first occurrence of `from` in the quickstart file.
std::string Quickstart(const std::string& from, const std::string& to) {
  std::string text = kQuickstart;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ParseSweepYamlTest, ParsesTheQuickstart) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("experiments/quickstart.yaml", kQuickstart);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "quickstart");
  EXPECT_EQ(spec->method, "grid");
  EXPECT_EQ(spec->metric.name, "val_macro_f1");
  EXPECT_EQ(spec->metric.goal, "maximize");
  EXPECT_EQ(spec->dataset.kind, "mask");
  EXPECT_EQ(spec->dataset.root, ".quickstart/data");
  EXPECT_EQ(spec->folds.k, 3);
  EXPECT_EQ(spec->folds.group_by, "person");
  EXPECT_TRUE(spec->folds.stratify);
  EXPECT_EQ(spec->count, 0);
  EXPECT_EQ(spec->max_attempts, 3);
  ASSERT_EQ(spec->parameters.size(), 6u);
  EXPECT_EQ(spec->parameters.at("optimizer").values.size(), 2u);
  EXPECT_EQ(spec->parameters.at("lr").value, 0.002);
}

TEST(ParseSweepYamlTest, ParsesARealisticRandomSweep) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("sweeps/fmnist.yml", kRandomSweep);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "fmnist");  // from the file name
  EXPECT_EQ(spec->description, "ResNet random search on the mask data.\n");
  EXPECT_EQ(spec->count, 24);
  EXPECT_EQ(spec->seed, 17u);
  EXPECT_EQ(spec->max_attempts, 5);
  EXPECT_EQ(spec->metric.goal, "minimize");  // val_loss defaults to minimize
  EXPECT_EQ(spec->dataset.max_samples, 5000);
  EXPECT_EQ(spec->folds.group_by, "none");
  EXPECT_FALSE(spec->folds.stratify);
  EXPECT_EQ(spec->parameters.size(), 9u);
  EXPECT_EQ(spec->parameters.at("momentum").distribution, Distribution::kUniform);
  EXPECT_EQ(spec->parameters.at("epochs").distribution, Distribution::kIntUniform);
  EXPECT_EQ(spec->parameters.at("model").probabilities, (std::vector<double>{0.7, 0.3}));
}

TEST(ParseSweepYamlTest, LabelsNameALabelVersion) {
  EXPECT_EQ(ParseSweepYaml("s.yaml", kQuickstart)->label_version, kLatestLabels);
  const std::string base = std::string(kQuickstart) + "labels: ";
  EXPECT_EQ(ParseSweepYaml("s.yaml", base + "latest\n")->label_version, kLatestLabels);
  EXPECT_EQ(ParseSweepYaml("s.yaml", base + "original\n")->label_version, 0);
  EXPECT_EQ(ParseSweepYaml("s.yaml", base + "3\n")->label_version, 3);
  EXPECT_EQ(ParseSweepYaml("s.yaml", base + "newest\n").status().message(),
            "s.yaml: labels: expected latest, original or a label version number, got \"newest\"");
  EXPECT_EQ(ParseSweepYaml("s.yaml", base + "-1\n").status().message(),
            "s.yaml: labels: expected an integer >= 0, got -1");
}

TEST(ParseSweepYamlTest, ErrorsNameTheFileAndKeyPath) {
  EXPECT_EQ(ErrorOf(Quickstart("values: [adam, sgd]", "values: [adam, sgdd]")),
            "sweep.yaml: parameters.optimizer.values[1]: expected one of sgd, adam, adamw, madgrad; got \"sgdd\"");
  EXPECT_EQ(ErrorOf(Quickstart("metric:", "metrc:")),
            "sweep.yaml: unknown key \"metrc\" (did you mean \"metric\"?)");
  EXPECT_EQ(ErrorOf(Quickstart("k: 3", "k: five")),
            "sweep.yaml: folds.k: expected an integer >= 2, got \"five\"");
  EXPECT_EQ(ErrorOf(Quickstart("lr: {value: 0.002}", "lr: {mu: 1}")),
            "sweep.yaml: parameters.lr: expected one of value, values, distribution/min/max");
  EXPECT_EQ(ErrorOf(Quickstart("lr: {value: 0.002}", "lr: {min: abc, max: 1}")),
            "sweep.yaml: parameters.lr.min: expected a number, got \"abc\"");
  EXPECT_EQ(ErrorOf(Quickstart("kind: mask, ", "")),
            "sweep.yaml: dataset.kind: missing (expected one of mask, fashion_mnist)");
  EXPECT_EQ(ErrorOf(Quickstart("kind: mask", "kind: cifar")),
            "sweep.yaml: dataset.kind: expected one of mask, fashion_mnist; got \"cifar\"");
  EXPECT_EQ(ErrorOf(Quickstart(", root: .quickstart/data", "")),
            "sweep.yaml: dataset.root: missing (expected the dataset's directory)");
  EXPECT_EQ(ErrorOf(Quickstart("method: grid", "method: random")),
            "sweep.yaml: count: missing (expected the number of trials; method random needs it)");
  EXPECT_EQ(ErrorOf(Quickstart("method: grid", "method: hyperopt")),
            "sweep.yaml: method: expected one of grid, random, tpe, bayes; got \"hyperopt\"");
  EXPECT_EQ(ErrorOf(Quickstart("goal: maximize", "goal: max")),
            "sweep.yaml: metric.goal: expected one of maximize, minimize; got \"max\"");
  EXPECT_EQ(ErrorOf(Quickstart("name: val_macro_f1", "name: f1")),
            "sweep.yaml: metric.name: expected one of val_macro_f1, val_accuracy, val_loss, "
            "train_loss; got \"f1\"");
  EXPECT_EQ(ErrorOf(Quickstart("group_by: person", "group_by: family")),
            "sweep.yaml: folds.group_by: expected one of person, none; got \"family\"");
  EXPECT_EQ(ErrorOf(Quickstart("stratify: true", "stratify: yes")),
            "sweep.yaml: folds.stratify: expected true or false, got \"yes\"");
}

TEST(ParseSweepYamlTest, StructuralErrors) {
  EXPECT_EQ(ErrorOf("method: grid\ndataset: {kind: mask, root: d}\nparameters: {}\n"),
            "sweep.yaml: parameters: expected at least one parameter");
  EXPECT_EQ(ErrorOf("method: grid\ndataset: {kind: mask, root: d}\n"),
            "sweep.yaml: parameters: missing (expected at least one trainer setting)");
  EXPECT_EQ(ErrorOf("method: grid\nparameters: {lr: {value: 1}}\n"),
            "sweep.yaml: dataset: missing (expected {kind: mask | fashion_mnist, root: DIR})");
  EXPECT_EQ(ErrorOf(""),
            "sweep.yaml: empty sweep file (expected a mapping with method, dataset, parameters)");
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "sweep.yaml: expected a mapping, got [\"a\",\"b\"]");
  EXPECT_EQ(ErrorOf(Quickstart("folds: {k: 3,", "folds: {k: 3, kk: 2,")),
            "sweep.yaml: folds: unknown key \"kk\" (did you mean \"k\"?)");
  EXPECT_EQ(ErrorOf(Quickstart("name: quickstart", "description: [a]")),
            "sweep.yaml: description: expected a string, got [\"a\"]");
  EXPECT_EQ(ErrorOf(Quickstart("k: 3", "k: 5000")),
            "sweep.yaml: folds.k: expected at most 1000, got 5000");
}

TEST(ParseSweepYamlTest, WandbKeysWeDoNotSupportAreRefusedWithAReason) {
  EXPECT_EQ(ErrorOf(std::string("image: repo/train:1\n") + kQuickstart),
            "sweep.yaml: image: is not supported: give your training script as program (and command)");
  EXPECT_NE(ErrorOf(std::string("run_cap: 10\n") + kQuickstart).find("use count"),
            std::string::npos);
  EXPECT_TRUE(ParseSweepYaml("s.yaml", std::string("entity: me\nproject: p\n") + kQuickstart).ok());
}

// A W&B sweep file for a team's own train.py.
constexpr char kProgramSweep[] = R"(program: train.py
command:
  - ${env}
  - ${interpreter}
  - ${program}
  - --fast
  - ${args_no_hyphens}
method: tpe
count: 8
metric: {name: val_acc, goal: maximize}
resume: false
dataset: {kind: mask, root: data}
parameters:
  learning_rate: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  layers: {min: 1, max: 4}
  width: {min: 0.5, max: 2}
  ratio: {min: 0.0, max: 1.0}
  arch: {values: [small, large]}
  epochs: {value: 5000}
)";

TEST(ParseSweepYamlTest, ProgramSweepsTakeAnyParameterAndMetric) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("p.yaml", kProgramSweep);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->program, "train.py");
  EXPECT_EQ(spec->command,
            (std::vector<std::string>{"${env}", "${interpreter}", "${program}", "--fast", "${args_no_hyphens}"}));
  EXPECT_FALSE(spec->resume);
  EXPECT_EQ(spec->metric.name, "val_acc");
  EXPECT_TRUE(spec->parameters.at("layers").integer_valued);   // integer ends: int_uniform, as W&B
  EXPECT_FALSE(spec->parameters.at("width").integer_valued);
  EXPECT_FALSE(spec->parameters.at("ratio").integer_valued);  // 0.0 is written as a float
  EXPECT_EQ(spec->parameters.at("epochs").value, 5000);        // no trainer bounds for a program
  // Without program the same names are trainer settings, and unknown.
  std::string no_program = kProgramSweep;
  no_program.erase(0, no_program.find("method:"));
  EXPECT_NE(ErrorOf(no_program).find("metric.name"), std::string::npos) << ErrorOf(no_program);
}

TEST(ParseSweepYamlTest, BadProgramKeysAreRefused) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string text = kProgramSweep;
    text.replace(text.find(from), from.size(), to);
    return ErrorOf(text);
  };
  EXPECT_EQ(with("--fast", "${argz}"),
            "sweep.yaml: command: unknown macro ${argz} (expected ${env}, ${interpreter}, ${program}, ${args}, "
            "${args_no_hyphens}, ${args_json} or ${args_json_file})");
  EXPECT_EQ(with("command:\n  - ${env}\n  - ${interpreter}\n  - ${program}\n  - --fast\n  - ${args_no_hyphens}\n",
                 "command: {a: 1}\n"),
            "sweep.yaml: command: expected a list of words, got {\"a\":1}");
  EXPECT_EQ(with("program: train.py\n", ""), "sweep.yaml: command: needs program: the script the command runs");
  EXPECT_EQ(with("resume: false", "resume: maybe"), "sweep.yaml: resume: expected true or false, got \"maybe\"");
}

// A tpe sweep with hyperband and the fold rule, minimising the held-out loss.
constexpr char kAdaptive[] = R"(method: tpe
count: 30
metric: {name: val_loss}
sampler: {n_startup_trials: 5}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
fold_pruning: {rule: median}
dataset: {kind: mask, root: d}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
  optimizer: {values: [adam, sgd]}
)";

std::string Adaptive(const std::string& from, const std::string& to) {
  std::string text = kAdaptive;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ParseSweepYamlTest, AdaptiveSweepsKeepTheirEngineKeys) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("s.yaml", kAdaptive);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->method, "tpe");
  EXPECT_EQ(spec->metric.goal, "minimize");  // losses are minimised unless goal says otherwise
  EXPECT_EQ(spec->max_concurrent_trials, 4);  // model-based default
  EXPECT_EQ(spec->sampler_options["n_startup_trials"], 5);
  EXPECT_EQ(spec->early_terminate["type"], "hyperband");
  EXPECT_EQ(spec->fold_pruning["rule"], "median");
  absl::StatusOr<SweepSpec> grid = ParseSweepYaml("s.yaml", kQuickstart);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->max_concurrent_trials, 0);  // unlimited
  absl::StatusOr<SweepSpec> set =
      ParseSweepYaml("s.yaml", Adaptive("count: 30", "count: 30\nmax_concurrent_trials: 2"));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->max_concurrent_trials, 2);
}

TEST(ParseSweepYamlTest, BadEngineKeysAreOneLineNamingTheKey) {
  EXPECT_EQ(ErrorOf(Adaptive("type: hyperband", "type: hb")),
            "sweep.yaml: early_terminate.type: expected one of hyperband, asha, median; got \"hb\"");
  EXPECT_EQ(ErrorOf(Adaptive("eta: 3", "eta: 1")),
            "sweep.yaml: early_terminate.eta: expected an integer >= 2, got 1");
  EXPECT_EQ(ErrorOf(Adaptive("n_startup_trials: 5", "n_startup_trials: many")).rfind(
                "sweep.yaml: sampler.n_startup_trials: ", 0),
            0u);
  EXPECT_EQ(ErrorOf(Adaptive("count: 30", "count: 30\nmax_concurrent_trials: 0")),
            "sweep.yaml: max_concurrent_trials: expected an integer >= 1, got 0");
  EXPECT_EQ(ErrorOf(Adaptive("count: 30\n", "")),
            "sweep.yaml: count: missing (expected the number of trials; method tpe needs it)");
  EXPECT_EQ(ErrorOf(Adaptive("early_terminate: {type: hyperband, min_iter: 1, eta: 3}",
                             "early_terminate: hyperband")),
            "sweep.yaml: early_terminate: expected a mapping, got \"hyperband\"");
  EXPECT_EQ(ErrorOf(Adaptive("method: tpe", "method: grid")).rfind(
                "sweep.yaml: parameters.lr: grid sweeps need values lists", 0),
            0u);
  EXPECT_EQ(ErrorOf(Adaptive("name: val_loss", "name: val_f1")).rfind(
                "sweep.yaml: metric.name: expected one of val_macro_f1", 0),
            0u);
  // bayes cannot model a space with nothing to search.
  const std::string constants = "parameters:\n  lr: {value: 0.01}\n";
  std::string bayes = Adaptive("method: tpe", "method: bayes");
  bayes.replace(bayes.find("sampler:"), bayes.find("early_terminate") - bayes.find("sampler:"), "");
  bayes = bayes.substr(0, bayes.find("parameters:")) + constants;
  EXPECT_EQ(ErrorOf(bayes).rfind("sweep.yaml: parameters", 0), 0u) << ErrorOf(bayes);
}

TEST(ParseSweepYamlTest, GridSweepsRefuseDistributionsUpFront) {
  EXPECT_NE(ErrorOf(Quickstart("lr: {value: 0.002}",
                               "lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}"))
                .find("sweep.yaml: parameters.lr: grid sweeps need values lists"),
            std::string::npos);
  EXPECT_TRUE(
      ParseSweepYaml("s.yaml", Quickstart("epochs: {value: 3}", "epochs: {min: 1, max: 3}")).ok());
}

TEST(ParseSweepYamlTest, SyntaxErrorsCarryFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("name: x\nmethod: grid\nfolds: k: 3\n"),
            "sweep.yaml:3:9: YAML syntax error: illegal map value");
  const std::string message = ErrorOf("name: x\nmethod: grid\nparameters:\n  lr: {value: [1\n");
  EXPECT_EQ(message.rfind("sweep.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("YAML syntax error"), std::string::npos) << message;
  // Duplicates are caught with their position too.
  EXPECT_EQ(ErrorOf(Quickstart("method: grid", "method: grid\nmethod: random")),
            "sweep.yaml:3:1: duplicate key \"method\"");
}

TEST(ParseSweepJsonTest, AcceptsTheSameShapeAsJson) {
  const nlohmann::json root = {
      {"method", "random"},
      {"count", 2},
      {"dataset", {{"kind", "mask"}, {"root", "d"}}},
      {"parameters", {{"lr", {{"min", 0.001}, {"max", 0.01}}}}}};
  absl::StatusOr<SweepSpec> spec = ParseSweepJson("api", root);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "api");
}

TEST(ParseSweepYamlTest, ExtraTrainSetsWithWeights) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml(
      "sweep.yaml", Quickstart("root: .quickstart/data}",
                               "root: .quickstart/data, extra_train: [{root: old, weight: 0.5}, {root: /x}]}"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->dataset.extra_train.size(), 2u);
  EXPECT_EQ(spec->dataset.extra_train[0].root, "old");
  EXPECT_DOUBLE_EQ(spec->dataset.extra_train[0].weight, 0.5);
  EXPECT_EQ(spec->dataset.extra_train[1].root, "/x");
  EXPECT_DOUBLE_EQ(spec->dataset.extra_train[1].weight, 1.0);
  absl::StatusOr<SweepSpec> none = ParseSweepYaml("sweep.yaml", kQuickstart);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->dataset.extra_train.empty());
}

TEST(ParseSweepYamlTest, ExtraTrainErrorsNameTheKey) {
  auto with = [](const std::string& extra) {
    return ErrorOf(Quickstart("root: .quickstart/data}", "root: .quickstart/data, extra_train: " + extra + "}"));
  };
  EXPECT_EQ(with("old"), "sweep.yaml: dataset.extra_train: expected a list of {root: DIR, weight: W}, got \"old\"");
  EXPECT_EQ(with("[{weight: 0.5}]"),
            "sweep.yaml: dataset.extra_train[0].root: missing (expected the extra dataset's directory)");
  EXPECT_EQ(with("[{root: a}, {root: b, weight: 0}]"),
            "sweep.yaml: dataset.extra_train[1].weight: expected a number in (0, 1], got 0");
  EXPECT_EQ(with("[{root: a, weight: 1.5}]"),
            "sweep.yaml: dataset.extra_train[0].weight: expected a number in (0, 1], got 1.5");
  EXPECT_EQ(with("[{root: a, weight: half}]"),
            "sweep.yaml: dataset.extra_train[0].weight: expected a number, got \"half\"");
  EXPECT_EQ(with("[{root: a, wieght: 0.5}]"),
            "sweep.yaml: dataset.extra_train[0]: unknown key \"wieght\" (did you mean \"weight\"?)");
  EXPECT_EQ(with("[a]"), "sweep.yaml: dataset.extra_train[0]: expected a mapping, got \"a\"");
  EXPECT_EQ(ErrorOf("program: train.py\nmethod: grid\ndataset: {kind: mask, root: d, extra_train: [{root: e}]}\n"
                    "parameters: {lr: {value: 1}}\n"),
            "sweep.yaml: dataset.extra_train: not supported with program (only the built-in trainer reads it)");
}

TEST(SweepSpecTest, HeadTasksNeedTheMaskDataset) {
  const std::string fashion = "method: grid\ndataset: {kind: fashion_mnist, root: d}\nparameters:\n";
  EXPECT_EQ(ErrorOf(fashion + "  task: {values: [single, age]}\n"),
            "sweep.yaml: parameters.task: \"age\" needs the mask dataset's 18 classes (mask x gender x age); "
            "dataset.kind is fashion_mnist");
  EXPECT_EQ(ErrorOf(fashion + "  task: {value: age_regression}\n"),
            "sweep.yaml: parameters.task: \"age_regression\" needs the mask dataset's 18 classes (mask x gender x "
            "age); dataset.kind is fashion_mnist");
  EXPECT_TRUE(ParseSweepYaml("sweep.yaml", fashion + "  task: {value: single}\n").ok());
  EXPECT_TRUE(ParseSweepYaml("sweep.yaml", "method: grid\ndataset: {kind: mask, root: d}\nparameters:\n"
                                           "  task: {values: [mask, gender, age, age_regression]}\n")
                  .ok());
}

// Found by fuzzing (tests/fuzz:sweep_yaml): a key or value quoted in a refusal could hold a line
// break (a YAML escape) or bytes that are not UTF-8; both now give one line.
TEST(ParseSweepYamlTest, RefusalsAreOneLine) {
  EXPECT_EQ(ErrorOf(Quickstart("metric:", "\"met\\nric\":")),
            "sweep.yaml: unknown key \"met\\x0aric\" (did you mean \"metric\"?)");
  EXPECT_EQ(ErrorOf(Quickstart("goal: maximize", "goal: max\xffimize")), "sweep.yaml:3:39: not valid UTF-8");
}

}  // namespace
}  // namespace foldstack::sweep
