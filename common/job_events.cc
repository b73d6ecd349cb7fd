#include "common/job_events.h"

#include <algorithm>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace foldstack::common {
namespace {

using nlohmann::json;

json ToJson(const EpochEvent& event) {
  json metrics = json::object();
  for (const auto& [name, value] : event.metrics) metrics[name] = value;  // NaN dumps as null
  return {{"event", "epoch"}, {"epoch", event.epoch}, {"metrics", metrics}};
}

json ToJson(const PredictionsEvent& event) {
  json object = {{"event", "predictions"}, {"num_classes", event.num_classes}, {"probs", event.probs}};
  if (event.sample_keys.empty()) {
    object["sample_ids"] = event.sample_ids;
  } else {
    object["sample_keys"] = event.sample_keys;
  }
  return object;
}

// Probabilities, a null read as NaN (JSON has no NaN; the checks downstream name it).
std::vector<float> ReadProbs(const json& probs) {
  std::vector<float> out;
  out.reserve(probs.size());
  for (const json& p : probs) out.push_back(p.is_null() ? std::numeric_limits<float>::quiet_NaN() : p.get<float>());
  return out;
}

json ToJson(const DoneEvent& event) {
  return {{"event", "done"},         {"best_epoch", event.best_epoch}, {"macro_f1", event.macro_f1},
          {"accuracy", event.accuracy}, {"val_loss", event.val_loss},     {"seconds", event.seconds}};
}

json ToJson(const CheckpointEvent& event) {
  return {{"event", "checkpoint"}, {"epoch", event.epoch}, {"path", event.path}};
}

// Numeric members of `object` but `skip`, in name order (nlohmann's object order).
std::vector<std::pair<std::string, double>> NumericMembers(const json& object, absl::string_view skip) {
  std::vector<std::pair<std::string, double>> members;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it.key() == skip || it.key() == "event" || it.key() == "v" || !it.value().is_number()) continue;
    members.emplace_back(it.key(), it.value().get<double>());
  }
  return members;
}

absl::StatusOr<EpochEvent> ParseEpoch(const json& object) {
  EpochEvent event;
  event.epoch = object.at("epoch").get<int>();
  if (event.epoch < 1) return absl::InvalidArgumentError(absl::StrCat("epoch event: epoch ", event.epoch, " < 1"));
  // Before "metrics", the trainer wrote them beside "epoch".
  event.metrics = object.contains("metrics") ? NumericMembers(object.at("metrics"), "")
                                             : NumericMembers(object, "epoch");
  return event;
}

absl::StatusOr<PredictionsEvent> ParsePredictions(const json& object) {
  PredictionsEvent event;
  event.num_classes = object.at("num_classes").get<int>();
  if (object.contains("sample_keys")) {
    event.sample_keys = object.at("sample_keys").get<std::vector<std::string>>();
  } else {
    event.sample_ids = object.at("sample_ids").get<std::vector<int64_t>>();
  }
  event.probs = ReadProbs(object.at("probs"));
  const size_t samples = std::max(event.sample_ids.size(), event.sample_keys.size());
  if (event.num_classes <= 0 || event.probs.size() != samples * event.num_classes) {
    return absl::InvalidArgumentError(absl::StrCat("predictions event: ", event.probs.size(), " probabilities for ",
                                                   samples, " samples of ", event.num_classes, " classes"));
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

absl::StatusOr<CheckpointEvent> ParseCheckpoint(const json& object) {
  CheckpointEvent event;
  event.epoch = object.at("epoch").get<int>();
  event.path = object.at("path").get<std::string>();
  if (event.epoch < 1) return absl::InvalidArgumentError(absl::StrCat("checkpoint event: epoch ", event.epoch, " < 1"));
  if (event.path.empty()) return absl::InvalidArgumentError("checkpoint event: empty path");
  return event;
}

}  // namespace

std::string FormatJobEvent(const JobEvent& event) {
  json object = std::visit([](const auto& e) { return ToJson(e); }, event);
  object["v"] = kJobEventsVersion;
  return object.dump();
}

absl::StatusOr<JobEvent> ParseJobEvent(absl::string_view line) {
  try {
    const json object = json::parse(line.begin(), line.end());
    const int version = object.value("v", kJobEventsVersion);
    if (version != kJobEventsVersion) {
      return absl::InvalidArgumentError(absl::StrCat("job event protocol version ", version,
                                                     " is not this worker's version ", kJobEventsVersion));
    }
    const std::string kind = object.at("event").get<std::string>();
    if (kind == "epoch") return ParseEpoch(object);
    if (kind == "predictions") return ParsePredictions(object);
    if (kind == "done") return ParseDone(object);
    if (kind == "checkpoint") return ParseCheckpoint(object);
    return absl::InvalidArgumentError(absl::StrCat("unknown job event \"", kind, "\""));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad job event line: ", e.what()));
  }
}

}  // namespace foldstack::common
