#include "coordinator/store/sweep_store.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {

absl::StatusOr<InsertedSweep> InsertSweep(SqliteDb& db, const SweepRecord& sweep, int64_t now_ms) {
  if (sweep.trial_params_json.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("sweep ", sweep.name, ": no trials"));
  }
  if (sweep.max_attempts < 1) {
    return absl::InvalidArgumentError(absl::StrCat("sweep ", sweep.name,
                                                   ": max_attempts must be >= 1, got ",
                                                   sweep.max_attempts));
  }
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db));
  int32_t k = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement split, txn->Prepare(
        "SELECT k FROM splits WHERE id = ? AND dataset_id = ?"));
    split.Bind(1, sweep.split_id).Bind(2, sweep.dataset_id);
    FS_ASSIGN_OR_RETURN(bool found, split.Step());
    if (!found) {
      return absl::NotFoundError(absl::StrCat("split ", sweep.split_id, " of dataset ",
                                              sweep.dataset_id, " not found"));
    }
    k = static_cast<int32_t>(split.Int(0));
  }
  int64_t sweep_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO sweeps(name, yaml, spec_json, dataset_id, split_id, state, max_attempts, "
        "created_ms, submitted_by, trial_budget, max_concurrent_trials, gate_folds, base_dir, "
        "metric, goal) VALUES(?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    insert.Bind(1, sweep.name).Bind(2, sweep.yaml).Bind(3, sweep.spec_json)
        .Bind(4, sweep.dataset_id).Bind(5, sweep.split_id).Bind(6, sweep.max_attempts)
        .Bind(7, now_ms).Bind(8, sweep.submitted_by)
        .Bind(9, std::max<int64_t>(sweep.trial_budget, sweep.trial_params_json.size()))
        .Bind(10, sweep.max_concurrent_trials).Bind(11, sweep.gate_folds).Bind(12, sweep.base_dir)
        .Bind(13, sweep.metric).Bind(14, sweep.minimize ? "minimize" : "maximize");
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("insert sweep: no id returned");
    sweep_id = insert.Int(0);
  }
  FS_ASSIGN_OR_RETURN(Statement trial, txn->Prepare(
      "INSERT INTO trials(sweep_id, idx, params_json, state) VALUES(?, ?, ?, 'running') "
      "RETURNING id"));
  FS_ASSIGN_OR_RETURN(Statement job, txn->Prepare(
      "INSERT INTO jobs(sweep_id, trial_id, fold, queued_ms) VALUES(?, ?, ?, ?)"));
  int32_t jobs = 0;
  for (size_t i = 0; i < sweep.trial_params_json.size(); ++i) {
    trial.Reset();
    trial.Bind(1, sweep_id).Bind(2, static_cast<int64_t>(i)).Bind(3, sweep.trial_params_json[i]);
    FS_ASSIGN_OR_RETURN(bool row, trial.Step());
    if (!row) return absl::InternalError("insert trial: no id returned");
    const int64_t trial_id = trial.Int(0);
    for (int32_t fold = 0; fold < k; ++fold) {
      job.Reset();
      job.Bind(1, sweep_id).Bind(2, trial_id).Bind(3, fold).Bind(4, now_ms);
      FS_RETURN_IF_ERROR(job.Run().status());
      ++jobs;
    }
  }
  trial.Reset();
  FS_RETURN_IF_ERROR(txn->Commit());
  return InsertedSweep{sweep_id, static_cast<int32_t>(sweep.trial_params_json.size()), jobs};
}

}  // namespace foldstack::coordinator
