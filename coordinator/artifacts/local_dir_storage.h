// ArtifactStorage in a local folder (the coordinator's --artifacts DIR): an object is the file
// DIR/KEY. Writes go to a temp file beside it, checked, fsynced and renamed (common/atomic_file.h).
#ifndef FOLDSTACK_COORDINATOR_ARTIFACTS_LOCAL_DIR_STORAGE_H_
#define FOLDSTACK_COORDINATOR_ARTIFACTS_LOCAL_DIR_STORAGE_H_

#include <string>

#include "coordinator/artifacts/artifact_storage.h"

namespace foldstack::artifacts {

class LocalDirStorage : public ArtifactStorage {
 public:
  // Creates `root` when missing; fails naming it when it cannot.
  static absl::StatusOr<std::unique_ptr<LocalDirStorage>> Create(const std::string& root);

  absl::StatusOr<std::unique_ptr<ArtifactWriter>> Put(const std::string& key) override;
  absl::StatusOr<std::unique_ptr<ArtifactReader>> Open(const std::string& key) override;
  absl::Status Delete(const std::string& key) override;
  absl::StatusOr<int64_t> Size(const std::string& key) override;

  const std::string& root() const { return root_; }

 private:
  explicit LocalDirStorage(std::string root) : root_(std::move(root)) {}
  absl::StatusOr<std::string> PathOf(const std::string& key) const;

  std::string root_;
};

}  // namespace foldstack::artifacts

#endif  // FOLDSTACK_COORDINATOR_ARTIFACTS_LOCAL_DIR_STORAGE_H_
