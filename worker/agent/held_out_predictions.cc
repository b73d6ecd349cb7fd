#include "worker/agent/held_out_predictions.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/mask_heads.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace foldstack::worker {

constexpr double kRowSumTolerance = 1e-3;

namespace {

// The trial's task (params_json's "task"; "" when absent or unreadable).
std::string TaskOf(const foldstack::v1::JobSpec& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params_json(), nullptr, /*allow_exceptions=*/false);
  if (!params.is_object() || !params.contains("task") || !params["task"].is_string()) return "";
  return params["task"].get<std::string>();
}

}  // namespace

HeldOutPredictions::HeldOutPredictions(const foldstack::v1::JobSpec& job,
                                       const foldstack::v1::GetSplitResponse* split)
    : training_(split != nullptr),
      num_classes_(common::TaskRowWidth(TaskOf(job), job.num_classes())),
      fold_(job.fold()) {
  // A head task's rows are that head's classes: its labels are the head's part of the class.
  const std::optional<common::TrainTask> task = common::ParseTrainTask(TaskOf(job));
  const std::optional<common::Head> head = task ? common::HeadOfTask(*task) : std::nullopt;
  if (split == nullptr) {
    const auto& keys = job.predict().image_keys();
    for (int row = 0; row < keys.size(); ++row) samples_[row] = {keys[row], -1, true};
    held_out_count_ = keys.size();
    return;
  }
  for (const auto& sample : split->samples()) {
    const bool held_out = sample.fold() == fold_;
    const int32_t label = head ? common::HeadLabel(*head, sample.label()) : sample.label();
    samples_[sample.sample_id()] = {sample.sample_key(), label, held_out};
    ids_by_key_[sample.sample_key()] = sample.sample_id();
    held_out_count_ += held_out ? 1 : 0;
  }
}

absl::Status HeldOutPredictions::CheckRows(const common::PredictionsEvent& event) const {
  if (event.num_classes != num_classes_) {
    return absl::InvalidArgumentError(absl::StrCat("predictions have rows of ", event.num_classes,
                                                   " values; expected one per class (", num_classes_, ")"));
  }
  const size_t rows = event.probs.size() / num_classes_;
  for (size_t row = 0; row < rows; ++row) {
    const std::string name = row < event.sample_keys.size() ? absl::StrCat("sample '", event.sample_keys[row], "'")
                                                            : absl::StrCat("sample id ", event.sample_ids[row]);
    double sum = 0;
    for (int c = 0; c < num_classes_; ++c) {
      const float p = event.probs[row * num_classes_ + c];
      if (!std::isfinite(p) || p < 0) {
        return absl::InvalidArgumentError(absl::StrCat("predictions for ", name, " hold ", p,
                                                       "; expected probabilities in [0, 1]"));
      }
      sum += p;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      return absl::InvalidArgumentError(absl::StrCat("predictions for ", name, " sum to ", sum,
                                                     "; expected probabilities that sum to 1 (apply softmax)"));
    }
  }
  return absl::OkStatus();
}

absl::Status HeldOutPredictions::CheckSample(int64_t id, const std::string& name) const {
  auto it = samples_.find(id);
  if (it == samples_.end()) return absl::InvalidArgumentError(absl::StrCat("predictions name an unknown ", name));
  if (!it->second.held_out) {
    return absl::InvalidArgumentError(absl::StrCat("predictions cover ", name, ", a training sample of this job ",
                                                   "(only fold ", fold_, ", held out, may be predicted)"));
  }
  if (seen_.count(id) > 0) return absl::InvalidArgumentError(absl::StrCat("predictions give ", name, " twice"));
  return absl::OkStatus();
}

absl::Status HeldOutPredictions::Add(common::PredictionsEvent event) {
  FS_RETURN_IF_ERROR(CheckRows(event));
  if (!event.sample_keys.empty()) {
    event.sample_ids.clear();
    for (const std::string& key : event.sample_keys) {
      auto id = ids_by_key_.find(key);
      if (id == ids_by_key_.end()) {
        return absl::InvalidArgumentError(absl::StrCat("predictions name an unknown sample key '", key, "'"));
      }
      event.sample_ids.push_back(id->second);
    }
  }
  for (size_t row = 0; row < event.sample_ids.size(); ++row) {
    const int64_t id = event.sample_ids[row];
    const std::string name = row < event.sample_keys.size() ? absl::StrCat("sample '", event.sample_keys[row], "'")
                                                            : absl::StrCat("sample id ", id);
    FS_RETURN_IF_ERROR(CheckSample(id, name));
    seen_.insert(id);
  }
  event.sample_keys.clear();
  batches_.push_back(std::move(event));
  return absl::OkStatus();
}

absl::Status HeldOutPredictions::CheckComplete() const {
  if (!training_ || seen_.size() == held_out_count_) return absl::OkStatus();
  for (const auto& [id, sample] : samples_) {
    if (sample.held_out && seen_.count(id) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("predictions cover ", seen_.size(), " of the ", held_out_count_,
                                                     " held-out samples; '", sample.key, "' has none"));
    }
  }
  return absl::OkStatus();
}

HeldOutScore HeldOutPredictions::Score() const {
  std::vector<int64_t> true_positive(num_classes_), predicted(num_classes_), actual(num_classes_);
  int64_t correct = 0, rows = 0;
  double loss = 0;
  for (const common::PredictionsEvent& batch : batches_) {
    for (size_t row = 0; row < batch.sample_ids.size(); ++row) {
      const int label = samples_.at(batch.sample_ids[row]).label;
      if (label < 0 || label >= num_classes_) continue;
      const float* p = &batch.probs[row * num_classes_];
      int best = 0;
      for (int c = 1; c < num_classes_; ++c) best = p[c] > p[best] ? c : best;
      ++predicted[best];
      ++actual[label];
      if (best == label) ++true_positive[label], ++correct;
      loss -= std::log(std::max(1e-15, static_cast<double>(p[label])));
      ++rows;
    }
  }
  HeldOutScore score;
  if (rows == 0) return score;
  // As sklearn's f1_score(average="macro"): over the classes that occur in labels or predictions.
  double f1_sum = 0;
  int classes = 0;
  for (int c = 0; c < num_classes_; ++c) {
    const int64_t denominator = predicted[c] + actual[c];
    if (denominator == 0) continue;
    f1_sum += 2.0 * true_positive[c] / denominator;
    ++classes;
  }
  score.macro_f1 = f1_sum / classes;
  score.accuracy = static_cast<double>(correct) / rows;
  score.log_loss = loss / rows;
  return score;
}

}  // namespace foldstack::worker
