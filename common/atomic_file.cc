#include "common/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace foldstack::common {

absl::StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path,
                                                                           std::string what) {
  const std::filesystem::path target(path);
  std::error_code error;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), error);
  if (error) return absl::InternalError(absl::StrCat(target.parent_path().string(), ": ", error.message()));
  std::string temp = absl::StrCat(path, ".tmp-XXXXXX");
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot create a temp file: ", std::strerror(errno)));
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(path, name.data(), std::move(what), fd));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!done_) Discard();
}

void AtomicFileWriter::Discard() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  unlink(temp_.c_str());
  done_ = true;
}

absl::Status AtomicFileWriter::Append(absl::string_view bytes) {
  if (done_) return absl::FailedPreconditionError(absl::StrCat(what_, ": already closed"));
  digest_.Update(bytes);
  while (!bytes.empty()) {
    const ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string reason = std::strerror(errno);
      Discard();
      return absl::ResourceExhaustedError(absl::StrCat(what_, ": cannot write ", temp_, ": ", reason));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    bytes_ += n;
  }
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit(int64_t expected_size, absl::string_view expected_sha256, bool sync) {
  if (done_) return absl::FailedPreconditionError(absl::StrCat(what_, ": already closed"));
  if (bytes_ != expected_size) {
    Discard();
    return absl::InvalidArgumentError(
        absl::StrCat(what_, ": received ", bytes_, " bytes, the header said ", expected_size));
  }
  const std::string actual = digest_.HexDigest();
  if (actual != absl::AsciiStrToLower(expected_sha256)) {
    Discard();
    return absl::InvalidArgumentError(absl::StrCat(what_, ": sha256 of the bytes is ", actual,
                                                   ", expected ", expected_sha256, "; nothing stored"));
  }
  if (sync && fsync(fd_) != 0) {
    const std::string reason = std::strerror(errno);
    Discard();
    return absl::InternalError(absl::StrCat(what_, ": fsync: ", reason));
  }
  close(fd_);
  fd_ = -1;
  if (rename(temp_.c_str(), path_.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    Discard();
    return absl::InternalError(absl::StrCat(what_, ": cannot rename into ", path_, ": ", reason));
  }
  done_ = true;
  return absl::OkStatus();
}

}  // namespace foldstack::common
