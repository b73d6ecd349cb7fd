#ifndef FOLDSTACK_WORKER_TRAINER_EVENT_SINK_H_
#define FOLDSTACK_WORKER_TRAINER_EVENT_SINK_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/job_events.h"

namespace foldstack::trainer {

// Held-out metrics after one epoch (epochs count from 1).
struct EpochEvent {
  int epoch = 0;
  double train_loss = 0;
  double val_loss = 0;
  double val_macro_f1 = 0;
  double val_accuracy = 0;
  double seconds = 0;  // wall time of this epoch, training + evaluation
  // task age_regression: mean absolute error of the held-out ages in years, reported as
  // val_age_mae (not kept in resumable checkpoints: a resumed job's earlier epochs lack it).
  std::optional<double> val_age_mae;
};

// Softmax probabilities of the best checkpoint for some held-out samples, and the job's end: the
// job events protocol's own structs (common/job_events.h).
using PredictionsEvent = common::PredictionsEvent;
using DoneEvent = common::DoneEvent;
// A resumable checkpoint of the job after `epoch` is complete at `path` (resume_checkpoint.h).
using CheckpointEvent = common::CheckpointEvent;

// Where the trainer reports progress. The worker agent reads the JSON-lines
// form from the trainer's stdout; tests collect events in memory.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEpoch(const EpochEvent& event) = 0;
  virtual void OnPredictions(const PredictionsEvent& event) = 0;
  virtual void OnDone(const DoneEvent& event) = 0;
  virtual void OnCheckpoint(const CheckpointEvent& event) = 0;
};

// The job events protocol (common/job_events.h), one line per event, flushed after each. An
// epoch's metrics are train_loss, val_loss, val_macro_f1, val_accuracy and seconds (the epoch's
// wall time); non-finite numbers are written as null.
class JsonLinesEventSink : public EventSink {
 public:
  explicit JsonLinesEventSink(std::FILE* out) : out_(out) {}
  void OnEpoch(const EpochEvent& event) override;
  void OnPredictions(const PredictionsEvent& event) override;
  void OnDone(const DoneEvent& event) override;
  void OnCheckpoint(const CheckpointEvent& event) override;

 private:
  void WriteLine(const std::string& line);
  std::FILE* out_;
};

// Keeps every event, in order of arrival per kind.
class CollectingEventSink : public EventSink {
 public:
  void OnEpoch(const EpochEvent& event) override { epochs.push_back(event); }
  void OnPredictions(const PredictionsEvent& event) override { predictions.push_back(event); }
  void OnDone(const DoneEvent& event) override { done.push_back(event); }
  void OnCheckpoint(const CheckpointEvent& event) override { checkpoints.push_back(event); }

  std::vector<EpochEvent> epochs;
  std::vector<PredictionsEvent> predictions;
  std::vector<DoneEvent> done;
  std::vector<CheckpointEvent> checkpoints;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_EVENT_SINK_H_
