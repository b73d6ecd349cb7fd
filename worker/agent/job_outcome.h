// How a job ended, decided from what its child did and what the relay saw. Pure: no I/O.
#ifndef FOLDSTACK_WORKER_AGENT_JOB_OUTCOME_H_
#define FOLDSTACK_WORKER_AGENT_JOB_OUTCOME_H_

#include <string>

#include "absl/status/status.h"
#include "worker/agent/child_process.h"
#include "worker/agent/event_relay.h"

namespace foldstack::worker {

enum class OutcomeKind {
  kComplete,  // send the predictions and complete the job
  kFail,      // report the failure (retried elsewhere when retryable)
  kPruned,    // the coordinator already ended it as pruned
  kDropped,   // revoked or its lease lost: report nothing
};

struct JobOutcome {
  OutcomeKind kind = OutcomeKind::kFail;
  std::string reason;
  bool retryable = false;
};

struct OutcomeInputs {
  ExitStatus exit;
  bool revoked = false;
  bool program = false;            // a sweep program rather than the built-in trainer
  bool training = true;            // a training job (not a prediction job)
  std::string metric;              // the sweep's metric
  std::string last_error;          // the child's last "error: " line, if any
  absl::Status predictions_complete = absl::OkStatus();  // HeldOutPredictions::CheckComplete
};

JobOutcome DecideOutcome(const OutcomeInputs& inputs, const RelayState& relay);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_JOB_OUTCOME_H_
