// Where artifact bytes live, behind a small interface: a local folder now (local_dir_storage.h), an
// object store later. Keys are relative paths made of [A-Za-z0-9._-] segments joined by '/'.
//
// A Put is all or nothing: bytes go to a pending object that becomes visible under its key only
// when Commit has checked their size and SHA-256; a mismatch or an abandoned writer leaves nothing.
#ifndef FOLDSTACK_COORDINATOR_ARTIFACTS_ARTIFACT_STORAGE_H_
#define FOLDSTACK_COORDINATOR_ARTIFACTS_ARTIFACT_STORAGE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::artifacts {

// A pending object. Destroying it without a successful Commit discards the bytes.
class ArtifactWriter {
 public:
  virtual ~ArtifactWriter() = default;
  virtual absl::Status Append(absl::string_view bytes) = 0;
  // INVALID_ARGUMENT (nothing kept) unless exactly `size` bytes with this SHA-256 (hex) were appended.
  virtual absl::Status Commit(int64_t size, absl::string_view sha256) = 0;
};

class ArtifactReader {
 public:
  virtual ~ArtifactReader() = default;
  // Up to `max_bytes` into `out` (replacing it); an empty `out` at the end.
  virtual absl::Status Read(size_t max_bytes, std::string* out) = 0;
};

class ArtifactStorage {
 public:
  virtual ~ArtifactStorage() = default;
  // A writer for `key`; an existing object under `key` is replaced when the writer commits.
  virtual absl::StatusOr<std::unique_ptr<ArtifactWriter>> Put(const std::string& key) = 0;
  // NOT_FOUND naming the key when there is no such object.
  virtual absl::StatusOr<std::unique_ptr<ArtifactReader>> Open(const std::string& key) = 0;
  // Deleting a missing object is OK (deletes are retried after crashes).
  virtual absl::Status Delete(const std::string& key) = 0;
  virtual absl::StatusOr<int64_t> Size(const std::string& key) = 0;
};

// True for a key ArtifactStorage accepts (no "..", no absolute paths, no empty segments).
bool IsValidKey(absl::string_view key);

}  // namespace foldstack::artifacts

#endif  // FOLDSTACK_COORDINATOR_ARTIFACTS_ARTIFACT_STORAGE_H_
