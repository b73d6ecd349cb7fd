#include "worker/agent/trainer_events.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace foldstack::worker {
namespace {

using nlohmann::json;

absl::StatusOr<EpochEvent> ParseEpoch(const json& object) {
  EpochEvent event;
  event.epoch = object.at("epoch").get<int>();
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == "event" || it.key() == "epoch" || !it.value().is_number()) continue;
    event.metrics.emplace_back(it.key(), it.value().get<double>());
  }
  return event;
}

absl::StatusOr<PredictionsEvent> ParsePredictions(const json& object) {
  PredictionsEvent event;
  event.num_classes = object.at("num_classes").get<int>();
  event.sample_ids = object.at("sample_ids").get<std::vector<int64_t>>();
  event.probs = object.at("probs").get<std::vector<float>>();
  if (event.num_classes <= 0 || event.probs.size() != event.sample_ids.size() * event.num_classes) {
    return absl::InvalidArgumentError(absl::StrCat("predictions event: ", event.probs.size(),
                                                   " probabilities for ", event.sample_ids.size(),
                                                   " samples of ", event.num_classes, " classes"));
  }
  return event;
}

DoneEvent ParseDone(const json& object) {
  DoneEvent event;
  event.best_epoch = object.at("best_epoch").get<int>();
  event.macro_f1 = object.at("macro_f1").get<double>();
  event.accuracy = object.at("accuracy").get<double>();
  event.val_loss = object.value("val_loss", 0.0);
  event.seconds = object.value("seconds", 0.0);
  return event;
}

}  // namespace

absl::StatusOr<TrainerEvent> ParseTrainerEvent(absl::string_view line) {
  try {
    json object = json::parse(line.begin(), line.end());
    const std::string kind = object.at("event").get<std::string>();
    if (kind == "epoch") return ParseEpoch(object);
    if (kind == "predictions") return ParsePredictions(object);
    if (kind == "done") return ParseDone(object);
    return absl::InvalidArgumentError(absl::StrCat("unknown trainer event \"", kind, "\""));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad trainer output line: ", e.what()));
  }
}

}  // namespace foldstack::worker
