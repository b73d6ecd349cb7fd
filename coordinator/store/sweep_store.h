// Sweep creation: the sweep row, its first trials and their trials x folds jobs, all or nothing.
// Later trials are made on demand by the trial scheduler (study_store.h InsertTrial).
#ifndef FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct SweepRecord {
  std::string name;
  std::string yaml;       // the submitted file, verbatim
  std::string spec_json;  // the parsed sweep, for tools
  int64_t dataset_id = 0;
  int64_t split_id = 0;
  int32_t max_attempts = 3;
  std::string submitted_by;                    // a token fingerprint, never a token
  std::vector<std::string> trial_params_json;  // the first trials: one JSON object each
  int64_t trial_budget = 0;           // trials it makes in all (>= the first trials)
  int32_t max_concurrent_trials = 0;  // 0 = unlimited
  int32_t gate_folds = 0;             // folds every trial runs before its others (fold pruning)
  std::string base_dir;               // the sweep file's folder
  std::string metric = "val_macro_f1";
  bool minimize = false;
};

struct InsertedSweep {
  int64_t sweep_id = 0;
  int32_t trials = 0;  // the first trials
  int32_t jobs = 0;    // their trials x folds jobs
};

// Inserts the sweep (state running), one trial per params entry and one queued job per
// (trial, fold) of the split, in ONE transaction. Jobs are numbered trial-major.
absl::StatusOr<InsertedSweep> InsertSweep(SqliteDb& db, const SweepRecord& sweep, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_
