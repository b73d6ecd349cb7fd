#include "worker/agent/artifact_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "common/sha256.h"
#include "proto/rpc_util.h"

namespace foldstack::worker {
namespace {

// Reads up to `max_bytes` into `out` (resized to what was read).
absl::Status ReadBlock(int fd, size_t max_bytes, const std::string& path, std::string* out) {
  out->resize(max_bytes);
  size_t filled = 0;
  while (filled < max_bytes) {
    const ssize_t n = read(fd, out->data() + filled, max_bytes - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::DataLossError(absl::StrCat(path, ": read: ", std::strerror(errno)));
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  out->resize(filled);
  return absl::OkStatus();
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<UploadResult> UploadArtifact(foldstack::v1::Coordinator::Stub& stub, const std::string& token,
                                            const ArtifactHeaderFields& fields, const std::string& path,
                                            size_t chunk_bytes) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return absl::NotFoundError(absl::StrCat(path, ": ", error.message()));
  UploadResult result;
  result.bytes = static_cast<int64_t>(size);
  result.sha256 = absl::AsciiStrToLower(fields.sha256);
  const bool hash_while_sending = result.sha256.empty();
  common::Sha256 digest;
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  foldstack::v1::ArtifactChunk chunk;
  foldstack::v1::ArtifactHeader* header = chunk.mutable_header();
  header->set_job_id(fields.job_id);
  header->set_job_kind(fields.job_kind);
  header->set_lease_id(fields.lease_id);
  header->set_kind(fields.kind);
  header->set_epoch(fields.epoch);
  header->set_file_name(fields.file_name.empty() ? std::filesystem::path(path).filename().string()
                                                 : fields.file_name);
  header->set_size(result.bytes);
  header->set_sha256(result.sha256);

  auto context = rpc::MakeContext(token);
  foldstack::v1::UploadArtifactResponse response;
  std::unique_ptr<grpc::ClientWriter<foldstack::v1::ArtifactChunk>> writer = stub.UploadArtifact(context.get(), &response);
  absl::Status read_status;
  int64_t sent = 0;
  bool first = true, open = true;
  // The coordinator may answer before every byte is sent (a retried upload, a refusal): a failed
  // Write ends the loop and Finish brings its answer.
  while (true) {
    read_status = ReadBlock(fd.get(), chunk_bytes, path, chunk.mutable_data());
    if (!read_status.ok()) break;
    if (chunk.data().empty() && !first) break;
    if (hash_while_sending) digest.Update(chunk.data());
    sent += static_cast<int64_t>(chunk.data().size());
    open = writer->Write(chunk);
    if (!open) break;
    if (first) chunk.clear_header();
    first = false;
    if (sent >= result.bytes && chunk.data().size() < chunk_bytes) break;
  }
  if (hash_while_sending && open && read_status.ok()) {  // the trailer: the SHA-256 of what was sent
    result.sha256 = digest.HexDigest();
    chunk.Clear();
    chunk.mutable_header()->set_sha256(result.sha256);
    writer->Write(chunk);
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  if (!read_status.ok()) return read_status;
  result.artifact_id = response.artifact_id();
  result.already_stored = response.already_stored();
  return result;
}

absl::Status DownloadArtifact(foldstack::v1::Coordinator::Stub& stub, const std::string& token, int64_t artifact_id,
                              const std::string& out_path) {
  auto context = rpc::MakeContext(token);
  foldstack::v1::GetArtifactRequest request;
  request.set_artifact_id(artifact_id);
  std::unique_ptr<grpc::ClientReader<foldstack::v1::ArtifactChunk>> reader = stub.GetArtifact(context.get(), request);
  foldstack::v1::ArtifactChunk chunk;
  foldstack::v1::ArtifactHeader header;
  std::unique_ptr<common::AtomicFileWriter> file;
  absl::Status write_status;
  while (write_status.ok() && reader->Read(&chunk)) {
    if (file == nullptr) {
      if (!chunk.has_header()) {
        write_status = absl::DataLossError(absl::StrCat("artifact ", artifact_id, ": the stream has no header"));
        break;
      }
      header = chunk.header();
      absl::StatusOr<std::unique_ptr<common::AtomicFileWriter>> created =
          common::AtomicFileWriter::Create(out_path, absl::StrCat("artifact ", artifact_id, " -> ", out_path));
      if (!created.ok()) {
        write_status = created.status();
        break;
      }
      file = std::move(*created);
    }
    write_status = file->Append(chunk.data());
  }
  if (!write_status.ok()) context->TryCancel();
  const grpc::Status status = reader->Finish();
  if (!write_status.ok()) return write_status;
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  if (file == nullptr) return absl::DataLossError(absl::StrCat("artifact ", artifact_id, ": empty stream"));
  return file->Commit(header.size(), header.sha256());
}

}  // namespace foldstack::worker
