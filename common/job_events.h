// The job events protocol, version 1: what a training program (the built-in trainer on its stdout,
// a sweep program on descriptor $FOLDSTACK_EVENTS_FD) tells the worker agent, one JSON object per
// line. The trainer writes
// these lines and the agent reads them through this one definition.
//
//   {"v":1,"event":"epoch","epoch":1,"metrics":{"train_loss":..,"val_loss":..,"val_macro_f1":..}}
//   {"v":1,"event":"predictions","num_classes":18,"sample_ids":[..],"probs":[..]}
//   {"v":1,"event":"predictions","num_classes":18,"sample_keys":["000001_female_Asian_45/mask1.jpg",..],"probs":[..]}
//   {"v":1,"event":"checkpoint","epoch":2,"path":"/abs/out_dir/resume.ckpt"}
//   {"v":1,"event":"done","best_epoch":2,"macro_f1":..,"accuracy":..,"val_loss":..,"seconds":..}
//
// "checkpoint" (added within version 1): a resumable checkpoint of the job as it stood after that
// epoch is complete at `path` (written atomically; worker/trainer/resume_checkpoint.h). The
// built-in trainer emits it after each epoch, just before that epoch's "epoch" line; a later one
// replaces the earlier. A parser from before it was added refuses the line as an unknown event, so
// an agent must be at least as new as the trainer it runs (both ship in foldstack-worker).
// An unknown event is still an error: a line this parser cannot read is a broken trainer.
//
// Epochs count from 1; an epoch's metrics may have any names (the sweep's metric must be among
// them); a non-finite metric is written as null and read as absent. probs is row-major, num_classes
// per sample; a null probability reads as NaN (and is refused downstream). A line without "v" is
// version 1 (the trainer's output before the version field, whose epoch metrics sat beside
// "epoch" rather than under "metrics"); a newer version is refused.
#ifndef FOLDSTACK_COMMON_JOB_EVENTS_H_
#define FOLDSTACK_COMMON_JOB_EVENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::common {

inline constexpr int kJobEventsVersion = 1;

struct EpochEvent {
  int epoch = 0;
  std::vector<std::pair<std::string, double>> metrics;  // in name order
};

struct PredictionsEvent {
  int num_classes = 0;
  std::vector<int64_t> sample_ids;   // the built-in trainer's: the split's sample ids
  std::vector<float> probs;  // row-major, num_classes per sample
  std::vector<std::string> sample_keys;  // a program's: keys from its split file, instead of ids
};

// The job finished: held-out figures of the best epoch.
struct DoneEvent {
  int best_epoch = 0;
  double macro_f1 = 0;
  double accuracy = 0;
  double val_loss = 0;
  double seconds = 0;  // wall time of the whole job
};

// A resumable checkpoint for `epoch` is complete at `path` (absolute).
struct CheckpointEvent {
  int epoch = 0;
  std::string path;
};

using JobEvent = std::variant<EpochEvent, PredictionsEvent, DoneEvent, CheckpointEvent>;

// One line, without the newline.
std::string FormatJobEvent(const JobEvent& event);

// Parses one line; a malformed line is an error naming what was wrong.
absl::StatusOr<JobEvent> ParseJobEvent(absl::string_view line);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_JOB_EVENTS_H_
