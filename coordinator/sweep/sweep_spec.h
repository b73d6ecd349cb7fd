#ifndef FOLDSTACK_COORDINATOR_SWEEP_SWEEP_SPEC_H_
#define FOLDSTACK_COORDINATOR_SWEEP_SWEEP_SPEC_H_

// A sweep file, shaped the way W&B sweep users write them:
//
//   name: quickstart                 # default: the file name without .yaml
//   description: free text
//   method: tpe                      # grid | random | tpe | bayes (registry.h)
//   sampler: {n_startup_trials: 10}  # the method's options (samplers/README.md)
//   metric: {name: val_loss, goal: minimize}   # any metric the trainer reports
//   early_terminate: {type: hyperband, min_iter: 1, eta: 3}   # hyperband | asha | median
//   fold_pruning: {rule: median}     # first folds first; later folds only while they pass
//   max_concurrent_trials: 4         # trials in flight (default: unlimited for grid/random, 4 else)
//   dataset: {kind: mask, root: data/train, max_samples: 0,
//             extra_train: [{root: data/old, weight: 0.5}]}   # training-only sets, same layout
//   folds: {k: 5, seed: 0, group_by: person, stratify: true}
//   count: 20                        # number of trials (required but for grid,
//                                    # where it caps the grid)
//   seed: 0                          # seeds random sampling
//   max_attempts: 3                  # tries per job before it is failed
//   labels: latest                   # latest | original | N: the dataset's label version
//   parameters:                      # see param_spec.h
//     optimizer: {values: [adam, sgd]}
//     lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}
//
//   program: train.py                # your own training script instead of the built-in trainer
//   command: [${env}, ${interpreter}, ${program}, ${args}]   # W&B's macros and default
//   resume: true                     # a re-leased job resumes from its last checkpoint
//
// W&B keys: `entity` and `project` are accepted and ignored (they only route
// runs to a W&B account); `run_cap`, `controller`, `job` and `image` are
// refused with a line saying why. With `program`, parameters may have any
// name and metric.name any metric the program reports. Unlike W&B, metric.goal
// defaults to minimize for losses (maximize otherwise), and metric.target is
// not supported. The sampler's options and the pruners' keys are checked here,
// so a bad sweep file is refused before anything is queued.
// Whether dataset.root exists is checked elsewhere, not here.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/sweep/param_spec.h"
#include "nlohmann/json.hpp"

namespace foldstack::sweep {

// More trials than this in one sweep is surely a mistake (count and grids).
inline constexpr int64_t kMaxTrialsPerSweep = 100000;

// An additional training-only dataset in the main dataset's layout: its samples join every
// fold's training set and are never held out, scored or given OOF rows. `weight` in (0, 1]:
// the fraction of its samples drawn into each epoch (the trainer's sampler).
struct ExtraTrainSpec {
  std::string root;  // as written; the submitter resolves it like dataset.root
  double weight = 1.0;
};

struct DatasetSpec {
  std::string kind;  // mask | fashion_mnist
  std::string root;
  int64_t max_samples = 0;  // 0 = use every sample
  std::vector<ExtraTrainSpec> extra_train;
};

struct FoldSpec {
  int k = 5;
  uint64_t seed = 0;
  std::string group_by = "person";  // person | none
  bool stratify = true;
};

// The per-epoch metrics the built-in trainer reports; a sweep's metric must be one of them.
const std::vector<std::string>& TrainerMetricNames();

struct MetricSpec {
  std::string name = "val_macro_f1";  // one of TrainerMetricNames()
  std::string goal = "maximize";      // maximize | minimize
};

inline constexpr int64_t kLatestLabels = -1;

struct SweepSpec {
  std::string file_name;  // where it was read from, for error messages
  std::string name;
  std::string description;
  std::string method;  // grid | random | tpe | bayes
  nlohmann::json sampler_options;  // `sampler:`; null when absent
  nlohmann::json early_terminate;  // `early_terminate:`; null when absent
  nlohmann::json fold_pruning;     // `fold_pruning:`; null when absent
  int max_concurrent_trials = 0;   // 0 = unlimited (filled from the method's default)
  MetricSpec metric;
  DatasetSpec dataset;
  FoldSpec folds;
  int count = 0;     // number of trials; grid: 0 = all, else a cap
  uint64_t seed = 0;
  int max_attempts = 3;
  // The label version trials train on: kLatestLabels, 0 (original) or N (see relabel accept).
  int64_t label_version = kLatestLabels;
  // Keyed by setting name; std::map's name order is the order parameters are
  // drawn (random) and nested (grid), as in W&B, which sorts them too.
  std::map<std::string, ParamSpec> parameters;
  // A sweep program (README "Programs"): "" runs the built-in trainer. As written in the file;
  // the submitter resolves it against the sweep file's folder.
  std::string program;
  std::vector<std::string> command;  // empty: W&B's default command
  bool resume = true;                // re-leased jobs resume from their last checkpoint
};

// Parses and validates a sweep file. Errors are one line, starting with the
// file name and the key path:
//   sweep.yaml: parameters.optimizer.values[1]: expected one of sgd, adam; got "sgdd"
//   sweep.yaml: unknown key "metrc" (did you mean "metric"?)
//   sweep.yaml:3:5: YAML syntax error: ...
absl::StatusOr<SweepSpec> ParseSweepYaml(std::string_view file_name, std::string_view yaml_text);

// The same for a sweep already converted to JSON (same keys and rules).
absl::StatusOr<SweepSpec> ParseSweepJson(std::string_view file_name, const nlohmann::json& root);

}  // namespace foldstack::sweep

#endif  // FOLDSTACK_COORDINATOR_SWEEP_SWEEP_SPEC_H_
