// Prediction runs (SubmitPrediction / GetPrediction): the member trials' fold models, the run
// with its eval images and one job per fold model, and what a run holds when read back.
#ifndef FOLDSTACK_COORDINATOR_STORE_PREDICTION_RUN_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_PREDICTION_RUN_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct FoldModelRef {
  int64_t train_job_id = 0;
  std::string worker_id;  // who wrote the checkpoint ("" when unknown)
};

struct TrialModels {
  int32_t num_classes = 0;  // the dataset's
  std::string task;         // the trial's task ("" when its params have none; trial_task.h)
  int32_t width = 0;        // values per eval row: num_classes, or a head task's head's classes
  std::vector<FoldModelRef> folds;  // fold order
};

// The trial's fold models: NOT_FOUND for an unknown trial, FAILED_PRECONDITION naming the fold
// when one is not done or has no checkpoint.
absl::StatusOr<TrialModels> LoadTrialModels(Transaction& txn, int64_t trial_id);

struct NewPredictionRun {
  std::string eval_root;
  std::string members_json;  // [{trial_id, weight}]
  int32_t num_classes = 0;
  std::string submitted_by;
  std::vector<std::pair<std::string, std::string>> images;  // (image id, key) in info.csv order
  struct Job {
    int64_t train_job_id = 0;
    double weight = 0;
    std::string preferred_worker_id;
  };
  std::vector<Job> jobs;
  int32_t max_attempts = 3;
};

// Inserts the run (running), its images and its queued jobs; returns the run id.
absl::StatusOr<int64_t> InsertPredictionRun(Transaction& txn, const NewPredictionRun& run, int64_t now_ms);

struct PredictionRunRow {
  std::string state;  // running | done | failed
  std::string eval_root;
  std::string members_json;
  int32_t num_classes = 0;
  int64_t created_ms = 0;
  int32_t jobs_total = 0, jobs_done = 0, jobs_failed = 0;
  std::optional<std::string> error;  // the first failed job's
  std::vector<std::string> image_ids;  // info.csv order
};

// NOT_FOUND for an unknown run.
absl::StatusOr<PredictionRunRow> LoadPredictionRun(Transaction& txn, int64_t run_id);

struct StoredEvalRow {
  int64_t prediction_job_id = 0;
  int64_t trial_id = 0;
  double weight = 0;
  int64_t idx = 0;          // the image's row
  absl::Span<const float> probs;  // valid during the call
};

// Calls `row` for every stored eval probability row of the run; stops at its first error.
// DATA_LOSS naming the chunk for a malformed stored blob.
absl::Status ForEachEvalRow(Transaction& txn, int64_t run_id,
                            const std::function<absl::Status(const StoredEvalRow&)>& row);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PREDICTION_RUN_STORE_H_
