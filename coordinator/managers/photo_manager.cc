#include "coordinator/managers/photo_manager.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/dataset_lookup.h"

namespace foldstack::coordinator {

absl::StatusOr<std::string> PhotoManager::PhotoPath(int64_t dataset_id, const std::string& key) {
  FS_ASSIGN_OR_RETURN(DatasetInfo dataset, DatasetNamingSample(db_, dataset_id, key));
  std::error_code error;
  const std::filesystem::path root = std::filesystem::weakly_canonical(dataset.root, error);
  const std::filesystem::path path = std::filesystem::weakly_canonical(root / key, error);
  if (error) return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, ": photo cannot be read"));
  // A stored key with "..", or a symlink, must still land under the root.
  if (!absl::StartsWith(path.string(), (root / "").string())) {
    return absl::PermissionDeniedError(absl::StrCat("dataset ", dataset_id, ": that photo lies outside the dataset's root"));
  }
  return path.string();
}

absl::StatusOr<std::string> PhotoManager::Thumbnail(int64_t dataset_id, const std::string& key, int size) {
  if (size < 16 || size > 1024) return absl::InvalidArgumentError("size: expected 16..1024 pixels");
  const auto cache_key = std::make_tuple(dataset_id, key, size);
  {
    absl::MutexLock lock(&mutex_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return it->second;
  }
  FS_ASSIGN_OR_RETURN(std::string path, PhotoPath(dataset_id, key));
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, ": photo cannot be decoded"));
  const double scale = std::min(1.0, static_cast<double>(size) / std::max(image.cols, image.rows));
  cv::Mat small;
  cv::resize(image, small, cv::Size(), scale, scale, cv::INTER_AREA);
  std::vector<unsigned char> jpeg;
  if (!cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85})) {
    return absl::InternalError("cannot encode the thumbnail");
  }
  std::string bytes(jpeg.begin(), jpeg.end());
  absl::MutexLock lock(&mutex_);
  if (cache_.size() >= kMaxCached) cache_.clear();  // simple bound; thumbnails are cheap to remake
  cache_[cache_key] = bytes;
  return bytes;
}

}  // namespace foldstack::coordinator
