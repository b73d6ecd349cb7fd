// Relays a running job's events to the coordinator as they come: epoch metrics at once (the
// pruner answers each), predictions checked and kept until the job completes.
#ifndef FOLDSTACK_WORKER_AGENT_EVENT_RELAY_H_
#define FOLDSTACK_WORKER_AGENT_EVENT_RELAY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/job_events.h"
#include "proto/foldstack.grpc.pb.h"
#include "worker/agent/held_out_predictions.h"

namespace foldstack::worker {

// What the relay saw, for deciding the job's outcome.
struct RelayState {
  std::optional<std::string> pruned;   // the sweep's pruner stopped the job: why
  absl::Status report_error;           // a report the coordinator did not take
  bool lease_lost = false;             // ... because the job is no longer this worker's
  absl::Status bad_output;             // the child broke the protocol or reported bad predictions
  std::optional<common::DoneEvent> done;
  std::map<int, std::map<std::string, double>> epochs;  // every reported metric by epoch
};

class EventRelay {
 public:
  struct Hooks {
    std::function<void(const std::string& reason)> stop;  // ask the child to end (pruned)
    std::function<void()> kill;                           // end it now (its results are not wanted)
    std::function<void(const common::CheckpointEvent&)> checkpoint;  // a resumable checkpoint is complete
  };
  EventRelay(foldstack::v1::Coordinator::Stub& stub, std::string token, const foldstack::v1::JobSpec& job,
             HeldOutPredictions& predictions, Hooks hooks);

  // One line of the child's events (without the newline).
  void OnLine(const std::string& line);
  const RelayState& state() const { return state_; }

  // After a clean exit: the job's result, the child's own or, for a program that sent no done
  // event, its best epoch by the sweep metric and the held-out figures of its predictions.
  common::DoneEvent Result(double seconds) const;
  // Streams the kept predictions, then completes the job.
  absl::Status Complete(const common::DoneEvent& done, const std::string& checkpoint_path);

 private:
  void Fail(const absl::Status& status);
  void OnEpoch(const common::EpochEvent& epoch);

  foldstack::v1::Coordinator::Stub& stub_;
  std::string token_;
  const foldstack::v1::JobSpec& job_;
  HeldOutPredictions& predictions_;
  Hooks hooks_;
  RelayState state_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_EVENT_RELAY_H_
