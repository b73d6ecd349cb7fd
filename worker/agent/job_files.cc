#include "worker/agent/job_files.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace foldstack::worker {

using foldstack::v1::JobSpec;

absl::StatusOr<std::string> WriteJobFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = absl::StrCat(dir, "/", name);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

absl::StatusOr<std::string> WriteTrainerJobFile(const JobSpec& job, const foldstack::v1::GetSplitResponse* split,
                                                const TrainerJobOptions& options, const std::string& dir) {
  const bool predict = job.kind() == foldstack::v1::JOB_KIND_PREDICT;
  nlohmann::json spec;
  spec["mode"] = predict ? "predict" : "train";
  spec["job_id"] = job.job_id();
  spec["dataset"] = {{"kind", job.dataset_kind()}, {"root", job.dataset_root()}};
  if (job.extra_train_size() > 0) {
    nlohmann::json& extra = spec["dataset"]["extra_train"] = nlohmann::json::array();
    for (const auto& set : job.extra_train()) extra.push_back({{"root", set.root()}, {"weight", set.weight()}});
  }
  spec["num_classes"] = job.num_classes();
  spec["fold"] = job.fold();
  if (!job.objective_metric().empty()) {
    spec["objective"] = {{"metric", job.objective_metric()}, {"minimize", job.objective_minimize()}};
  }
  spec["params"] = nlohmann::json::parse(job.params_json(), nullptr, /*allow_exceptions=*/false);
  if (spec["params"].is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id(), ": params are not JSON"));
  }
  nlohmann::json samples = nlohmann::json::array();
  if (predict) {
    // Sample ids are eval rows: what the coordinator expects back.
    const auto& keys = job.predict().image_keys();
    for (int row = 0; row < keys.size(); ++row) samples.push_back({{"id", row}, {"key", keys[row]}});
    spec["checkpoint"] = job.predict().checkpoint_path();
    spec["hflip_tta"] = job.predict().hflip_tta();
  } else if (split != nullptr) {
    for (const auto& sample : split->samples()) {
      samples.push_back({{"id", sample.sample_id()}, {"key", sample.sample_key()},
                         {"label", sample.label()}, {"fold", sample.fold()}});
    }
  }
  spec["samples"] = std::move(samples);
  spec["device"] = options.device;
  spec["threads"] = options.threads;
  spec["out_dir"] = dir;
  if (!predict) {
    spec["write_resume"] = options.write_resume;
    if (!options.resume_from.empty()) spec["resume_from"] = options.resume_from;
  }
  return WriteJobFile(dir, "job.json", spec.dump());
}

absl::StatusOr<std::string> WriteSplitFile(const JobSpec& job, const foldstack::v1::GetSplitResponse& split,
                                           const std::string& dir) {
  // IDX datasets (Fashion-MNIST) have keys like "train/123", not files.
  const bool files = job.dataset_kind() != "fashion_mnist";
  std::string text = "key,path,label,group,role\n";
  for (const auto& sample : split.samples()) {
    absl::StrAppend(&text, CsvField(sample.sample_key()), ",",
                    CsvField(files ? absl::StrCat(job.dataset_root(), "/", sample.sample_key()) : ""), ",",
                    sample.label(), ",", CsvField(sample.group()), ",",
                    sample.fold() == job.fold() ? "held_out" : "train", "\n");
  }
  return WriteJobFile(dir, "split.csv", text);
}

}  // namespace foldstack::worker
