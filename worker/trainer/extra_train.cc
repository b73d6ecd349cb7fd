#include "worker/trainer/extra_train.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "data/dataset.h"
#include "worker/trainer/image_source_provider.h"

namespace foldstack::trainer {
namespace {

constexpr char kPrefix[] = "extra_train[";

absl::Status InSet(int set, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("dataset.extra_train[", set, "]: ", status.message()));
}

// Routes ExtraTrainKeys to their set's provider and every other key to the main one.
class JobImages : public ImageProvider {
 public:
  JobImages(std::unique_ptr<ImageProvider> main, std::vector<std::unique_ptr<ImageProvider>> extra)
      : main_(std::move(main)), extra_(std::move(extra)) {}

  absl::StatusOr<data::DecodedImage> Decode(const std::string& key, const data::DecodeTarget& target) const override {
    if (!absl::StartsWith(key, kPrefix)) return main_->Decode(key, target);
    const size_t start = sizeof(kPrefix) - 1;
    const size_t close = key.find("]/");
    int set = -1;
    if (close == std::string::npos || !absl::SimpleAtoi(key.substr(start, close - start), &set) || set < 0 ||
        set >= static_cast<int>(extra_.size())) {
      return absl::NotFoundError(absl::StrCat(key, ": no such extra training set"));
    }
    return extra_[set]->Decode(key.substr(close + 2), target);
  }

 private:
  std::unique_ptr<ImageProvider> main_;
  std::vector<std::unique_ptr<ImageProvider>> extra_;
};

}  // namespace

std::string ExtraTrainKey(int set, const std::string& key) { return absl::StrCat(kPrefix, set, "]/", key); }

absl::StatusOr<int64_t> AddExtraTrainSamples(JobConfig& job) {
  FS_ASSIGN_OR_RETURN(data::DatasetKind kind, data::ParseDatasetKind(job.dataset_kind));
  int64_t added = 0;
  for (int set = 0; set < static_cast<int>(job.extra_train.size()); ++set) {
    absl::StatusOr<data::DatasetIndex> index = data::LoadDatasetIndex(kind, job.extra_train[set].root);
    if (!index.ok()) return InSet(set, index.status());
    for (const data::Sample& sample : index->samples) {
      if (sample.label < 0 || sample.label >= job.num_classes) {
        return InSet(set, absl::InvalidArgumentError(absl::StrCat(sample.key, ": label ", sample.label, " outside 0..",
                                                                  job.num_classes - 1)));
      }
      ++added;
      job.samples.push_back({-added, ExtraTrainKey(set, sample.key), sample.label, -1, set});
    }
  }
  return added;
}

absl::StatusOr<std::unique_ptr<ImageProvider>> OpenJobImages(const JobConfig& job) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<ImageProvider> main, OpenImageSourceProvider(job.dataset_kind, job.dataset_root));
  if (job.extra_train.empty()) return main;
  std::vector<std::unique_ptr<ImageProvider>> extra;
  for (int set = 0; set < static_cast<int>(job.extra_train.size()); ++set) {
    absl::StatusOr<std::unique_ptr<ImageProvider>> images =
        OpenImageSourceProvider(job.dataset_kind, job.extra_train[set].root);
    if (!images.ok()) return InSet(set, images.status());
    extra.push_back(*std::move(images));
  }
  return std::make_unique<JobImages>(std::move(main), std::move(extra));
}

}  // namespace foldstack::trainer
