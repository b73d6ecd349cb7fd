// The trainer child's stdout protocol: one JSON object per line (see worker/trainer's TrainerMain).
#ifndef FOLDSTACK_WORKER_AGENT_TRAINER_EVENTS_H_
#define FOLDSTACK_WORKER_AGENT_TRAINER_EVENTS_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::worker {

struct EpochEvent {
  int epoch = 0;
  std::vector<std::pair<std::string, double>> metrics;  // every numeric field but "epoch"
};

struct PredictionsEvent {
  int num_classes = 0;
  std::vector<int64_t> sample_ids;
  std::vector<float> probs;  // row-major, num_classes per sample
};

struct DoneEvent {
  int best_epoch = 0;
  double macro_f1 = 0, accuracy = 0, val_loss = 0, seconds = 0;
};

using TrainerEvent = std::variant<EpochEvent, PredictionsEvent, DoneEvent>;

// Parses one stdout line; a malformed line is an error naming what was wrong.
absl::StatusOr<TrainerEvent> ParseTrainerEvent(absl::string_view line);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_TRAINER_EVENTS_H_
