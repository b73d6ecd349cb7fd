#include "common/job_events.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/one_line.h"
#include "common/status_macros.h"
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

// An integer member in [min, max]; a fraction, a string or a number out of range is refused (a
// cast would be undefined behaviour or wrap silently).
absl::StatusOr<int64_t> Integer(const json& value, const std::string& what, int64_t min, int64_t max) {
  // nlohmann keeps a non-negative integer as unsigned, a negative one as signed.
  const bool fits = value.is_number_unsigned()  ? value.get<uint64_t>() <= static_cast<uint64_t>(max) &&
                                                      static_cast<int64_t>(value.get<uint64_t>()) >= min
                    : value.is_number_integer() ? value.get<int64_t>() >= min && value.get<int64_t>() <= max
                                                : false;
  if (!fits) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", Printable(value.dump()), " is not an integer in [", min,
                                                   ", ", max, "]"));
  }
  return value.is_number_unsigned() ? static_cast<int64_t>(value.get<uint64_t>()) : value.get<int64_t>();
}

absl::StatusOr<int> IntMember(const json& object, const char* event, const char* key, int min) {
  FS_ASSIGN_OR_RETURN(int64_t value, Integer(object.at(key), absl::StrCat(event, " event: ", key), min,
                                             std::numeric_limits<int>::max()));
  return static_cast<int>(value);
}

// Probabilities, a null read as NaN (JSON has no NaN; the checks downstream name it). A number
// beyond float's range is refused rather than converted (undefined behaviour).
absl::StatusOr<std::vector<float>> ReadProbs(const json& probs) {
  if (!probs.is_array()) return absl::InvalidArgumentError("predictions event: probs is not an array");
  std::vector<float> out;
  out.reserve(probs.size());
  for (const json& p : probs) {
    if (p.is_null()) {
      out.push_back(std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    const double value = p.get<double>();  // a non-number throws: one line, below
    if (!(std::abs(value) <= std::numeric_limits<float>::max())) {
      return absl::InvalidArgumentError(absl::StrCat("predictions event: probability ", value, " at ", out.size(),
                                                     " is beyond float's range"));
    }
    out.push_back(static_cast<float>(value));
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> ReadSampleIds(const json& ids) {
  if (!ids.is_array()) return absl::InvalidArgumentError("predictions event: sample_ids is not an array");
  std::vector<int64_t> out;
  out.reserve(ids.size());
  for (const json& id : ids) {
    FS_ASSIGN_OR_RETURN(int64_t value, Integer(id, absl::StrCat("predictions event: sample_ids[", out.size(), "]"), 0,
                                               std::numeric_limits<int64_t>::max()));
    out.push_back(value);
  }
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
  FS_ASSIGN_OR_RETURN(event.epoch, IntMember(object, "epoch", "epoch", 1));
  // Before "metrics", the trainer wrote them beside "epoch".
  event.metrics = object.contains("metrics") ? NumericMembers(object.at("metrics"), "")
                                             : NumericMembers(object, "epoch");
  return event;
}

absl::StatusOr<PredictionsEvent> ParsePredictions(const json& object) {
  PredictionsEvent event;
  FS_ASSIGN_OR_RETURN(event.num_classes, IntMember(object, "predictions", "num_classes", 1));
  if (object.contains("sample_keys")) {
    event.sample_keys = object.at("sample_keys").get<std::vector<std::string>>();
  } else {
    FS_ASSIGN_OR_RETURN(event.sample_ids, ReadSampleIds(object.at("sample_ids")));
  }
  FS_ASSIGN_OR_RETURN(event.probs, ReadProbs(object.at("probs")));
  const size_t samples = std::max(event.sample_ids.size(), event.sample_keys.size());
  if (event.probs.size() / event.num_classes != samples || event.probs.size() % event.num_classes != 0) {
    return absl::InvalidArgumentError(absl::StrCat("predictions event: ", event.probs.size(), " probabilities for ",
                                                   samples, " samples of ", event.num_classes, " classes"));
  }
  return event;
}

absl::StatusOr<DoneEvent> ParseDone(const json& object) {
  DoneEvent event;
  FS_ASSIGN_OR_RETURN(event.best_epoch, IntMember(object, "done", "best_epoch", 0));
  event.macro_f1 = object.at("macro_f1").get<double>();
  event.accuracy = object.at("accuracy").get<double>();
  event.val_loss = object.value("val_loss", 0.0);
  event.seconds = object.value("seconds", 0.0);
  return event;
}

absl::StatusOr<CheckpointEvent> ParseCheckpoint(const json& object) {
  CheckpointEvent event;
  FS_ASSIGN_OR_RETURN(event.epoch, IntMember(object, "checkpoint", "epoch", 1));
  event.path = object.at("path").get<std::string>();
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
    if (!object.is_object()) return absl::InvalidArgumentError("bad job event line: not a JSON object");
    if (object.contains("v") && object["v"] != kJobEventsVersion) {
      return absl::InvalidArgumentError(absl::StrCat("job event protocol version ", Printable(object["v"].dump()),
                                                     " is not this worker's version ", kJobEventsVersion));
    }
    const std::string kind = object.at("event").get<std::string>();
    if (kind == "epoch") return ParseEpoch(object);
    if (kind == "predictions") return ParsePredictions(object);
    if (kind == "done") return ParseDone(object);
    if (kind == "checkpoint") return ParseCheckpoint(object);
    return absl::InvalidArgumentError(absl::StrCat("unknown job event \"", Printable(kind), "\""));
  } catch (const std::exception& e) {
    // nlohmann's message quotes the bytes it last read, which may be anything.
    return absl::InvalidArgumentError(absl::StrCat("bad job event line: ", Printable(e.what())));
  }
}

}  // namespace foldstack::common
