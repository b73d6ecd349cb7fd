// What people read about sweeps (summaries, their jobs, the leaderboard) and cancelling one.
// Every statement runs in the caller's transaction; rows come back as domain structs.
#ifndef FOLDSTACK_COORDINATOR_STORE_SWEEP_ROWS_H_
#define FOLDSTACK_COORDINATOR_STORE_SWEEP_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/sweep/states.h"

namespace foldstack::coordinator {

struct SweepRow {
  int64_t sweep_id = 0;
  std::string name;
  sweep::SweepState state = sweep::SweepState::kRunning;
  int64_t created_ms = 0;
  int64_t finished_ms = 0;  // 0 while it runs
  std::string dataset_kind, dataset_root;
  int32_t k = 0;
  int32_t trials = 0, trial_budget = 0;
  int32_t jobs_total = 0, jobs_queued = 0, jobs_running = 0, jobs_done = 0, jobs_failed = 0,
          jobs_cancelled = 0, jobs_pruned = 0;
  std::optional<double> mean_job_seconds;  // over done jobs
  std::optional<double> best_macro_f1;
  int32_t label_version = 0;
  std::string metric;
  bool minimize = false;
  std::optional<double> best_value;  // the best trial's mean objective, by goal
  bool paused = false;
  std::string method;
};

// One sweep (`sweep_id` > 0) or all (0), newest first: those with an id below `before_id`, at
// most `limit` (-1: all).
absl::StatusOr<std::vector<SweepRow>> LoadSweepRows(Transaction& txn, int64_t sweep_id,
                                                    int64_t before_id = INT64_MAX, int64_t limit = -1);

// Workers heard from at `since_ms` or later.
absl::StatusOr<int64_t> CountWorkersSeenSince(Transaction& txn, int64_t since_ms);

// The submitted file, verbatim ("" for an unknown sweep).
absl::StatusOr<std::string> LoadSweepYaml(Transaction& txn, int64_t sweep_id);

struct JobRow {
  int64_t job_id = 0, trial_id = 0;
  int32_t fold = 0;
  sweep::JobState state = sweep::JobState::kQueued;
  int32_t attempt = 0;
  std::string worker_id;
  double macro_f1 = 0;
  std::string error;
  std::optional<double> value;
  int32_t stopped_epoch = 0;
};

// The sweep's jobs in id order.
absl::StatusOr<std::vector<JobRow>> LoadJobRows(Transaction& txn, int64_t sweep_id);

struct LeaderRow {
  int64_t trial_id = 0;
  std::string params_json;
  sweep::TrialState trial_state = sweep::TrialState::kRunning;
  int32_t folds_done = 0;
  double macro_f1_mean = 0, macro_f1_std = 0, accuracy_mean = 0;
  std::optional<double> value_mean, value_std;
};

// Trials with a done fold, best mean objective first (lowest when `minimize`), those without a
// value last.
absl::StatusOr<std::vector<LeaderRow>> LoadLeaderRows(Transaction& txn, int64_t sweep_id, bool minimize);

// Queued and running jobs, running trials and the sweep become cancelled; returns the jobs.
absl::StatusOr<int64_t> CancelSweepRows(Transaction& txn, int64_t sweep_id, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_SWEEP_ROWS_H_
