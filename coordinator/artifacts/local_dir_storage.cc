#include "coordinator/artifacts/local_dir_storage.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/atomic_file.h"

namespace foldstack::artifacts {
namespace {

class FileWriter : public ArtifactWriter {
 public:
  explicit FileWriter(std::unique_ptr<common::AtomicFileWriter> file) : file_(std::move(file)) {}
  absl::Status Append(absl::string_view bytes) override { return file_->Append(bytes); }
  absl::Status Commit(int64_t size, absl::string_view sha256) override { return file_->Commit(size, sha256); }

 private:
  std::unique_ptr<common::AtomicFileWriter> file_;
};

class FileReader : public ArtifactReader {
 public:
  FileReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileReader() override { close(fd_); }
  absl::Status Read(size_t max_bytes, std::string* out) override {
    out->resize(max_bytes);
    ssize_t n;
    do {
      n = read(fd_, out->data(), max_bytes);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return absl::DataLossError(absl::StrCat(path_, ": read: ", std::strerror(errno)));
    out->resize(static_cast<size_t>(n));
    return absl::OkStatus();
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

bool IsValidKey(absl::string_view key) {
  if (key.empty()) return false;
  for (absl::string_view segment : absl::StrSplit(key, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
    }
  }
  return true;
}

absl::StatusOr<std::unique_ptr<LocalDirStorage>> LocalDirStorage::Create(const std::string& root) {
  std::error_code error;
  std::filesystem::create_directories(root, error);
  if (error || !std::filesystem::is_directory(root)) {
    return absl::FailedPreconditionError(
        absl::StrCat("artifacts folder ", root, ": cannot create it", error ? ": " + error.message() : ""));
  }
  return std::unique_ptr<LocalDirStorage>(new LocalDirStorage(root));
}

absl::StatusOr<std::string> LocalDirStorage::PathOf(const std::string& key) const {
  if (!IsValidKey(key)) return absl::InvalidArgumentError(absl::StrCat("bad artifact key \"", key, "\""));
  return absl::StrCat(root_, "/", key);
}

absl::StatusOr<std::unique_ptr<ArtifactWriter>> LocalDirStorage::Put(const std::string& key) {
  absl::StatusOr<std::string> path = PathOf(key);
  if (!path.ok()) return path.status();
  auto file = common::AtomicFileWriter::Create(*path, absl::StrCat("artifact ", key));
  if (!file.ok()) return file.status();
  return std::unique_ptr<ArtifactWriter>(new FileWriter(std::move(*file)));
}

absl::StatusOr<std::unique_ptr<ArtifactReader>> LocalDirStorage::Open(const std::string& key) {
  absl::StatusOr<std::string> path = PathOf(key);
  if (!path.ok()) return path.status();
  const int fd = open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("artifact file ", *path, ": ", std::strerror(errno)));
  return std::unique_ptr<ArtifactReader>(new FileReader(fd, *path));
}

absl::Status LocalDirStorage::Delete(const std::string& key) {
  absl::StatusOr<std::string> path = PathOf(key);
  if (!path.ok()) return path.status();
  if (unlink(path->c_str()) != 0 && errno != ENOENT) {
    return absl::InternalError(absl::StrCat("artifact file ", *path, ": cannot delete: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LocalDirStorage::Size(const std::string& key) {
  absl::StatusOr<std::string> path = PathOf(key);
  if (!path.ok()) return path.status();
  std::error_code error;
  const auto size = std::filesystem::file_size(*path, error);
  if (error) return absl::NotFoundError(absl::StrCat("artifact file ", *path, ": ", error.message()));
  return static_cast<int64_t>(size);
}

}  // namespace foldstack::artifacts
