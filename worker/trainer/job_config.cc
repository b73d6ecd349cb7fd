#include <algorithm>
#include "worker/trainer/job_config.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/trainer_settings.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;

// Reads typed fields out of one JSON object, producing "<source>: <path>: ..." errors.
class FieldReader {
 public:
  FieldReader(const json& object, std::string source, std::string path)
      : object_(object), source_(std::move(source)), path_(std::move(path)) {}

  absl::Status Error(const std::string& key, const std::string& expected) const {
    const std::string got = object_.contains(key) ? object_[key].dump() : "nothing";
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": ", Where(key), ": expected ", expected, ", got ", got.substr(0, 80)));
  }

  bool Has(const std::string& key) const { return object_.contains(key); }
  std::string Where(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  // Integers may be written as 3 or 3.0 (sweeps emit numbers as doubles).
  absl::Status Int(const std::string& key, int64_t min, int64_t max, int64_t* out, bool required = true) const {
    if (!Has(key)) return required ? Error(key, "an integer") : absl::OkStatus();
    const json& value = object_[key];
    const std::string expected = absl::StrCat("an integer in [", min, ", ", max, "]");
    if (!value.is_number()) return Error(key, expected);
    const double number = value.get<double>();
    if (std::floor(number) != number || number < static_cast<double>(min) || number > static_cast<double>(max)) {
      return Error(key, expected);
    }
    *out = value.is_number_integer() ? value.get<int64_t>() : static_cast<int64_t>(number);
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status SmallInt(const std::string& key, int64_t min, int64_t max, T* out, bool required = true) const {
    int64_t wide = static_cast<int64_t>(*out);
    absl::Status status = Int(key, min, max, &wide, required);
    *out = static_cast<T>(wide);
    return status;
  }

  // Optional: an absent key keeps *out.
  absl::Status Bool(const std::string& key, bool* out) const {
    if (!Has(key)) return absl::OkStatus();
    if (!object_[key].is_boolean()) return Error(key, "true or false");
    *out = object_[key].get<bool>();
    return absl::OkStatus();
  }

  absl::Status String(const std::string& key, std::string* out, bool required = true) const {
    if (!Has(key)) return required ? Error(key, "a string") : absl::OkStatus();
    if (!object_[key].is_string() || object_[key].get<std::string>().empty()) return Error(key, "a non-empty string");
    *out = object_[key].get<std::string>();
    return absl::OkStatus();
  }

 private:
  const json& object_;
  std::string source_;
  std::string path_;
};

#define FOLDSTACK_RETURN_IF_ERROR(expr)     \
  do {                                      \
    absl::Status status_ = (expr);          \
    if (!status_.ok()) return status_;      \
  } while (false)

// Every key is validated and missing ones defaulted by the shared settings table
// (common/trainer_settings.h), the same one the coordinator checks sweeps with.
absl::Status ParseParams(const json& params, const std::string& source, TrainParams* out) {
  for (const auto& item : params.items()) {
    if (common::FindSetting(item.key()) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": params.", item.key(), ": ", common::UnknownSettingMessage(item.key())));
    }
  }
  absl::StatusOr<json> complete = common::CompleteSettings(params);
  if (!complete.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": params.", complete.status().message()));
  }
  const json& s = *complete;
  out->settings = s;
  out->model = s["model"].get<std::string>();
  out->pretrained = s["pretrained"].get<std::string>();
  out->drop_rate = s["drop_rate"].get<double>();
  out->drop_path_rate = s["drop_path_rate"].get<double>();
  out->optimizer = s["optimizer"].get<std::string>();
  out->lr = s["lr"].get<double>();
  out->momentum = s["momentum"].get<double>();
  out->weight_decay = s["weight_decay"].get<double>();
  out->epochs = s["epochs"].get<int>();
  out->batch_size = s["batch_size"].get<int>();
  out->image_size = s["image_size"].get<int>();
  out->seed = s["seed"].get<uint64_t>();
  if (out->batch_size < 2) {
    // BatchNorm needs more than one sample per batch in training.
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": params.batch_size: expected an integer >= 2, got ", out->batch_size));
  }
  return absl::OkStatus();
}

// `labelled`: training samples need a label and a fold; samples to predict need neither.
absl::Status ParseSamples(const json& samples, const std::string& source, int num_classes, bool labelled,
                          std::vector<JobSample>* out) {
  std::set<int64_t> seen_ids;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::string path = absl::StrCat("samples[", i, "]");
    if (!samples[i].is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": ", path, ": expected an object"));
    }
    FieldReader r(samples[i], source, path);
    JobSample sample;
    FOLDSTACK_RETURN_IF_ERROR(r.Int("id", 0, std::numeric_limits<int64_t>::max(), &sample.id));
    FOLDSTACK_RETURN_IF_ERROR(r.String("key", &sample.key));
    FOLDSTACK_RETURN_IF_ERROR(r.SmallInt("label", 0, num_classes - 1, &sample.label, labelled));
    FOLDSTACK_RETURN_IF_ERROR(r.SmallInt("fold", 0, 1 << 20, &sample.fold, labelled));
    if (!seen_ids.insert(sample.id).second) return r.Error("id", "an id not used by an earlier sample");
    out->push_back(std::move(sample));
  }
  return absl::OkStatus();
}

// dataset.extra_train: absent or [{root: an absolute path, weight: a number in (0, 1]}].
absl::Status ParseExtraTrain(const json& dataset, const std::string& source, std::vector<ExtraTrainSet>* out) {
  if (!dataset.contains("extra_train")) return absl::OkStatus();
  FieldReader r(dataset, source, "dataset");
  const json& list = dataset["extra_train"];
  if (!list.is_array()) return r.Error("extra_train", "a list of {root, weight}");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = absl::StrCat("dataset.extra_train[", i, "]");
    if (!list[i].is_object()) return absl::InvalidArgumentError(absl::StrCat(source, ": ", path, ": expected an object"));
    FieldReader set(list[i], source, path);
    ExtraTrainSet extra;
    FOLDSTACK_RETURN_IF_ERROR(set.String("root", &extra.root));
    const json weight = list[i].value("weight", json(1.0));
    if (!weight.is_number() || !(weight.get<double>() > 0.0 && weight.get<double>() <= 1.0)) {
      return set.Error("weight", "a number in (0, 1]");
    }
    extra.weight = weight.get<double>();
    out->push_back(std::move(extra));
  }
  return absl::OkStatus();
}

// resume_from: absent, "" or an absolute path; write_resume: a boolean.
absl::Status ParseResumeKeys(const FieldReader& r, const json& root, JobConfig* job) {
  FOLDSTACK_RETURN_IF_ERROR(r.Bool("write_resume", &job->write_resume));
  if (!r.Has("resume_from")) return absl::OkStatus();
  const json& from = root["resume_from"];
  if (!from.is_string() || (!from.get<std::string>().empty() && from.get<std::string>()[0] != '/')) {
    return r.Error("resume_from", "an absolute path to a resume.ckpt, or \"\"");
  }
  job->resume_from = from.get<std::string>();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrainParams> ParseTrainParams(const json& params, const std::string& source) {
  TrainParams out;
  FOLDSTACK_RETURN_IF_ERROR(ParseParams(params, source, &out));
  return out;
}

absl::StatusOr<JobConfig> ParseJobConfig(const std::string& json_text, const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not valid JSON: ", e.what()));
  }
  if (!root.is_object()) return absl::InvalidArgumentError(source + ": expected a JSON object");
  FieldReader r(root, source, "");
  JobConfig job;
  std::string mode = "train";
  FOLDSTACK_RETURN_IF_ERROR(r.String("mode", &mode, /*required=*/false));
  if (mode != "train" && mode != "predict") return r.Error("mode", "\"train\" or \"predict\"");
  job.mode = mode == "predict" ? JobMode::kPredict : JobMode::kTrain;
  FOLDSTACK_RETURN_IF_ERROR(r.Int("job_id", 0, std::numeric_limits<int64_t>::max(), &job.job_id));
  if (!r.Has("dataset") || !root["dataset"].is_object()) return r.Error("dataset", "an object {kind, root}");
  FieldReader dataset(root["dataset"], source, "dataset");
  FOLDSTACK_RETURN_IF_ERROR(dataset.String("kind", &job.dataset_kind));
  FOLDSTACK_RETURN_IF_ERROR(dataset.String("root", &job.dataset_root));
  FOLDSTACK_RETURN_IF_ERROR(ParseExtraTrain(root["dataset"], source, &job.extra_train));
  FOLDSTACK_RETURN_IF_ERROR(r.SmallInt("num_classes", 1, 1 << 20, &job.num_classes));
  FOLDSTACK_RETURN_IF_ERROR(r.SmallInt("fold", 0, 1 << 20, &job.fold, job.mode == JobMode::kTrain));
  if (r.Has("params") && !root["params"].is_object()) return r.Error("params", "an object");
  FOLDSTACK_RETURN_IF_ERROR(ParseParams(root.value("params", json::object()), source, &job.params));
  if (!r.Has("samples") || !root["samples"].is_array()) return r.Error("samples", "an array");
  FOLDSTACK_RETURN_IF_ERROR(
      ParseSamples(root["samples"], source, job.num_classes, job.mode == JobMode::kTrain, &job.samples));
  FOLDSTACK_RETURN_IF_ERROR(r.String("device", &job.device, /*required=*/false));
  FOLDSTACK_RETURN_IF_ERROR(r.SmallInt("threads", 1, 1024, &job.threads, false));
  FOLDSTACK_RETURN_IF_ERROR(r.String("out_dir", &job.out_dir));
  if (r.Has("objective")) {
    if (!root["objective"].is_object()) return r.Error("objective", "an object {metric, minimize}");
    FieldReader objective(root["objective"], source, "objective");
    FOLDSTACK_RETURN_IF_ERROR(objective.String("metric", &job.objective_metric));
    const std::vector<std::string> known = {"train_loss", "val_loss", "val_macro_f1", "val_accuracy"};
    if (std::find(known.begin(), known.end(), job.objective_metric) == known.end()) {
      return objective.Error("metric", "one of train_loss, val_loss, val_macro_f1, val_accuracy");
    }
    const json& minimize = root["objective"].value("minimize", json(false));
    if (!minimize.is_boolean()) return objective.Error("minimize", "true or false");
    job.objective_minimize = minimize.get<bool>();
  }
  if (job.mode == JobMode::kPredict) {
    FOLDSTACK_RETURN_IF_ERROR(r.String("checkpoint", &job.checkpoint));
    FOLDSTACK_RETURN_IF_ERROR(r.Bool("hflip_tta", &job.hflip_tta));
  } else {
    FOLDSTACK_RETURN_IF_ERROR(ParseResumeKeys(r, root, &job));
  }
  return job;
}

absl::StatusOr<JobConfig> LoadJobConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open job file"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseJobConfig(text, path);
}

}  // namespace foldstack::trainer
