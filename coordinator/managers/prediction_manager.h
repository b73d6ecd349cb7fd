// Prediction runs for people and scripts: submit (members x fold models -> queued prediction jobs)
// and read back the averaged eval probabilities. Workers run the jobs through JobManager.
//
// Thread safety: like JobManager, every call is one transaction on the shared connection.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_MANAGER_H_

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

class PredictionManager {
 public:
  static constexpr int kMaxAttempts = 3;

  PredictionManager(SqliteDb& db, Clock& clock) : db_(db), clock_(clock) {}

  // Checks eval_root/eval/info.csv and its images (data::LoadEvalSet; read here, outside any
  // transaction) and that every member trial exists with all its folds done and checkpointed;
  // then stores the run (members with the same trial merged, weights summed) and queues one job
  // per (member, fold), preferring the worker that wrote each checkpoint. Errors are one line,
  // e.g. "trial 7: fold 1 is running, not done".
  absl::StatusOr<foldstack::v1::SubmitPredictionResponse> SubmitPrediction(
      const foldstack::v1::SubmitPredictionRequest& request, const std::string& submitted_by);

  // The run's state and progress; when done also the averaged probabilities (prediction_average.h).
  absl::StatusOr<foldstack::v1::GetPredictionResponse> GetPrediction(
      const foldstack::v1::GetPredictionRequest& request);

 private:
  SqliteDb& db_;
  Clock& clock_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_PREDICTION_MANAGER_H_
