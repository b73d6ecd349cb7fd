// Photos of a dataset for the dashboard, as thumbnails resized on the server (OpenCV) and cached.
// Only a file the results database names as a sample of the dataset is read, and only when its
// real path (symlinks resolved) lies under the dataset's root: a path from a request never reaches
// the file system unless the database holds it verbatim.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_PHOTO_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_PHOTO_MANAGER_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

class PhotoManager {
 public:
  static constexpr int kMaxCached = 4096;

  explicit PhotoManager(SqliteDb& db) : db_(db) {}

  // The photo's path: NOT_FOUND unless dataset `dataset_id` has a sample with exactly `key`;
  // PERMISSION_DENIED when that file's real path is outside the dataset's root.
  absl::StatusOr<std::string> PhotoPath(int64_t dataset_id, const std::string& key);

  // A JPEG whose longer side is at most `size` pixels (16..1024), from the cache when made before.
  absl::StatusOr<std::string> Thumbnail(int64_t dataset_id, const std::string& key, int size);

 private:
  SqliteDb& db_;
  absl::Mutex mutex_;
  std::map<std::tuple<int64_t, std::string, int>, std::string> cache_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_PHOTO_MANAGER_H_
