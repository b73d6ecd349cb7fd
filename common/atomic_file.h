// Writes a file so that nothing half-written is ever visible: bytes go to a temp file beside the
// target (hashed as they come), and Commit checks the size and SHA-256, fsyncs and renames it into
// place. Anything else (an error, a mismatch, destruction without Commit) deletes the temp file.
#ifndef FOLDSTACK_COMMON_ATOMIC_FILE_H_
#define FOLDSTACK_COMMON_ATOMIC_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace foldstack::common {

class AtomicFileWriter {
 public:
  // Creates the temp file (and the target's folder). `what` names the file in errors.
  static absl::StatusOr<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path, std::string what);
  ~AtomicFileWriter();  // deletes the temp file unless committed
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  absl::Status Append(absl::string_view bytes);
  int64_t bytes_written() const { return bytes_; }

  // INVALID_ARGUMENT (temp file deleted) when the bytes written are not `expected_size` long or
  // their SHA-256 is not `expected_sha256` (hex, either case); else fsync (when `sync`) and rename.
  absl::Status Commit(int64_t expected_size, absl::string_view expected_sha256, bool sync = true);

 private:
  AtomicFileWriter(std::string path, std::string temp, std::string what, int fd)
      : path_(std::move(path)), temp_(std::move(temp)), what_(std::move(what)), fd_(fd) {}
  void Discard();

  std::string path_, temp_, what_;
  int fd_;
  int64_t bytes_ = 0;
  Sha256 digest_;
  bool done_ = false;
};

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_ATOMIC_FILE_H_
