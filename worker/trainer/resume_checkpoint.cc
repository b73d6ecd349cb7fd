#include "worker/trainer/resume_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <torch/serialize/archive.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer {
namespace {

constexpr char kMagic[] = "FOLDSTACK-RESUME 1\n";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;
constexpr size_t kHeaderSize = kMagicSize + 16;  // magic, payload length, checksum
constexpr int kEpochColumns = 6;  // epoch, train_loss, val_loss, val_macro_f1, val_accuracy, seconds

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

uint64_t Fnv1a(const std::string& text, uint64_t hash) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  return hash;
}

// The payload's checksum: FNV-1a over 64-bit little-endian words (the last one zero-padded),
// fed in pieces of any size. Word-wise because a checkpoint is hundreds of MB and a byte-wise
// loop costs seconds; each step is a bijection of the word, so any one changed word changes it.
class Checksum {
 public:
  void Update(const char* data, size_t size) {
    while (size > 0 && (pending_size_ > 0 || size < 8)) {
      pending_[pending_size_++] = *data++;
      --size;
      if (pending_size_ == 8) Flush();
    }
    for (; size >= 8; data += 8, size -= 8) Word(data);
    for (; size > 0; --size) pending_[pending_size_++] = *data++;
  }
  uint64_t Finish() {
    if (pending_size_ > 0) {
      std::memset(pending_ + pending_size_, 0, 8 - pending_size_);
      Flush();
    }
    return hash_;
  }

 private:
  void Word(const char* bytes) {
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | static_cast<unsigned char>(bytes[i]);
    hash_ = (hash_ ^ word) * kFnvPrime;
  }
  void Flush() {
    Word(pending_);
    pending_size_ = 0;
  }

  uint64_t hash_ = kFnvOffset;
  char pending_[8] = {};
  size_t pending_size_ = 0;
};

uint64_t ChecksumOf(const char* data, size_t size) {
  Checksum checksum;
  checksum.Update(data, size);
  return checksum.Finish();
}

void AppendUint64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadUint64(const std::string& bytes, size_t at) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// A view of `bytes` (no copy): valid while `bytes` is.
torch::Tensor BytesTensor(const std::string& bytes) {
  return torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<int64_t>(bytes.size())}, torch::kUInt8);
}

std::string TensorBytes(const torch::Tensor& tensor) {
  const torch::Tensor bytes = tensor.to(torch::kUInt8).contiguous();
  return std::string(static_cast<const char*>(bytes.data_ptr()), bytes.numel());
}

// First line of an exception's message (c10 appends a multi-line backtrace).
std::string FirstLine(const std::exception& e) {
  const std::string message = e.what();
  return message.substr(0, message.find('\n'));
}

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::PermissionDeniedError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write failed", path);
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// So that the rename itself survives a power loss, not only the file's bytes.
void SyncDirectory(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void WriteIdentity(torch::serialize::OutputArchive& archive, const ResumeIdentity& id) {
  archive.write("identity/model", c10::IValue(id.model));
  archive.write("identity/dataset_kind", c10::IValue(id.dataset_kind));
  archive.write("identity/num_classes", c10::IValue(static_cast<int64_t>(id.num_classes)));
  archive.write("identity/fold", c10::IValue(static_cast<int64_t>(id.fold)));
  archive.write("identity/objective", c10::IValue(id.objective));
  archive.write("identity/settings", c10::IValue(id.settings));
  archive.write("identity/samples", c10::IValue(id.samples));
  archive.write("identity/samples_hash", c10::IValue(static_cast<int64_t>(id.samples_hash)));
}

torch::Tensor EpochTable(const std::vector<EpochEvent>& epochs) {
  std::vector<double> values;
  for (const EpochEvent& e : epochs) {
    values.insert(values.end(), {static_cast<double>(e.epoch), e.train_loss, e.val_loss, e.val_macro_f1,
                                 e.val_accuracy, e.seconds});
  }
  return torch::tensor(values, torch::kDouble).reshape({static_cast<int64_t>(epochs.size()), kEpochColumns});
}

std::vector<EpochEvent> EpochsFromTable(const torch::Tensor& table) {
  const torch::Tensor rows = table.to(torch::kDouble).contiguous();
  const double* v = rows.data_ptr<double>();
  std::vector<EpochEvent> epochs;
  for (int64_t r = 0; r < rows.size(0); ++r, v += kEpochColumns) {
    epochs.push_back({static_cast<int>(v[0]), v[1], v[2], v[3], v[4], v[5]});
  }
  return epochs;
}

// Fills `archive` with the checkpoint (tensors of bytes are views of `c`'s strings).
void BuildArchive(const ResumeCheckpoint& c, torch::serialize::OutputArchive& archive) {
  WriteIdentity(archive, c.identity);
  archive.write("epoch", c10::IValue(static_cast<int64_t>(c.epoch)));
  archive.write("phase", c10::IValue(static_cast<int64_t>(c.phase)));
  archive.write("phase_done", c10::IValue(c.phase_done));
  archive.write("training_last_epoch", c10::IValue(static_cast<int64_t>(c.training_last_epoch)));
  archive.write("epochs", EpochTable(c.epochs));
  archive.write("best_epoch", c10::IValue(static_cast<int64_t>(c.best_epoch)));
  archive.write("best_score", c10::IValue(c.best_score));
  archive.write("stopping/best_epoch", c10::IValue(static_cast<int64_t>(c.stopping.best_epoch)));
  archive.write("stopping/best_metric", c10::IValue(c.stopping.best_metric));
  archive.write("stopping/bad_epochs", c10::IValue(static_cast<int64_t>(c.stopping.bad_epochs)));
  archive.write("best_weights", BytesTensor(c.best_weights));
  archive.write("optimization", BytesTensor(c.optimization));
  archive.write("rng", c.rng.defined() ? c.rng.to(torch::kCPU) : torch::empty({0}, torch::kUInt8));
  // Indexed keys: state-dict names hold dots, which archive keys must not.
  c10::List<std::string> names;
  for (size_t i = 0; i < c.model.size(); ++i) {
    names.push_back(c.model[i].first);
    archive.write(absl::StrCat("model/", i), c.model[i].second.detach().to(torch::kCPU), /*is_buffer=*/true);
  }
  archive.write("model/names", c10::IValue(names));
}

// Streams the magic line, a placeholder for length and checksum, and the archive to `fd`, then
// fills in the length and checksum.
absl::Status WriteCheckpointFile(int fd, torch::serialize::OutputArchive& archive, const std::string& path) {
  FS_RETURN_IF_ERROR(WriteAll(fd, kMagic, kMagicSize, path));
  const std::string placeholder(16, '\0');
  FS_RETURN_IF_ERROR(WriteAll(fd, placeholder.data(), placeholder.size(), path));
  Checksum checksum;
  uint64_t length = 0;
  absl::Status written;
  try {
    archive.save_to([&](const void* data, size_t size) -> size_t {
      if (!written.ok()) return 0;
      checksum.Update(static_cast<const char*>(data), size);
      length += size;
      written = WriteAll(fd, static_cast<const char*>(data), size, path);
      return written.ok() ? size : 0;
    });
  } catch (const std::exception& e) {
    if (written.ok()) written = absl::InternalError(absl::StrCat(path, ": cannot serialize: ", FirstLine(e)));
  }
  FS_RETURN_IF_ERROR(written);
  std::string trailer;
  AppendUint64(trailer, length);
  AppendUint64(trailer, checksum.Finish());
  if (::pwrite(fd, trailer.data(), trailer.size(), kMagicSize) != static_cast<ssize_t>(trailer.size())) {
    return Errno("write failed", path);
  }
  return absl::OkStatus();
}



// Reads the archive's fields; throws (c10::Error) when a key is missing or of another type.
ResumeCheckpoint FromArchive(torch::serialize::InputArchive& archive) {
  auto read = [&archive](const std::string& key) {
    c10::IValue value;
    archive.read(key, value);
    return value;
  };
  auto read_tensor = [&archive](const std::string& key) {
    torch::Tensor tensor;
    archive.read(key, tensor, /*is_buffer=*/true);
    return tensor;
  };
  ResumeCheckpoint c;
  c.identity.model = read("identity/model").toStringRef();
  c.identity.dataset_kind = read("identity/dataset_kind").toStringRef();
  c.identity.num_classes = static_cast<int>(read("identity/num_classes").toInt());
  c.identity.fold = static_cast<int>(read("identity/fold").toInt());
  c.identity.objective = read("identity/objective").toStringRef();
  c.identity.settings = read("identity/settings").toStringRef();
  c.identity.samples = read("identity/samples").toInt();
  c.identity.samples_hash = static_cast<uint64_t>(read("identity/samples_hash").toInt());
  c.epoch = static_cast<int>(read("epoch").toInt());
  c.phase = static_cast<int>(read("phase").toInt());
  c.phase_done = read("phase_done").toBool();
  c.training_last_epoch = static_cast<int>(read("training_last_epoch").toInt());
  c.epochs = EpochsFromTable(read_tensor("epochs"));
  c.best_epoch = static_cast<int>(read("best_epoch").toInt());
  c.best_score = read("best_score").toDouble();
  c.stopping.best_epoch = static_cast<int>(read("stopping/best_epoch").toInt());
  c.stopping.best_metric = read("stopping/best_metric").toDouble();
  c.stopping.bad_epochs = static_cast<int>(read("stopping/bad_epochs").toInt());
  c.best_weights = TensorBytes(read_tensor("best_weights"));
  c.optimization = TensorBytes(read_tensor("optimization"));
  c.rng = read_tensor("rng");
  const c10::List<std::string> names = read("model/names").to<c10::List<std::string>>();
  for (size_t i = 0; i < names.size(); ++i) c.model.emplace_back(names.get(i), read_tensor(absl::StrCat("model/", i)));
  return c;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open resume checkpoint"));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Checks the magic line, the payload's length and its checksum.
absl::Status VerifyFile(const std::string& path, const std::string& bytes) {
  if (bytes.size() < kMagicSize || bytes.compare(0, kMagicSize, kMagic) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a foldstack resume checkpoint (expected the line \"FOLDSTACK-RESUME 1\")"));
  }
  if (bytes.size() < kHeaderSize) return absl::DataLossError(absl::StrCat(path, ": truncated header"));
  const uint64_t length = ReadUint64(bytes, kMagicSize);
  if (bytes.size() - kHeaderSize != length) {
    return absl::DataLossError(absl::StrCat(path, ": truncated or padded: ", bytes.size() - kHeaderSize,
                                            " payload bytes, the header says ", length));
  }
  if (ChecksumOf(bytes.data() + kHeaderSize, length) != ReadUint64(bytes, kMagicSize + 8)) {
    return absl::DataLossError(absl::StrCat(path, ": corrupt: the payload's checksum does not match"));
  }
  return absl::OkStatus();
}

// The first setting whose value differs, or "" when the two dumps are equal settings.
std::string SettingsMismatch(const std::string& job, const std::string& checkpoint) {
  const nlohmann::json a = nlohmann::json::parse(job, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json b = nlohmann::json::parse(checkpoint, nullptr, /*allow_exceptions=*/false);
  if (!a.is_object() || !b.is_object()) return "params differ";
  nlohmann::json keys = a;
  keys.update(b);
  for (const auto& item : keys.items()) {
    const std::string here = a.contains(item.key()) ? a[item.key()].dump() : "absent";
    const std::string there = b.contains(item.key()) ? b[item.key()].dump() : "absent";
    if (here != there) {
      return absl::StrCat("params.", item.key(), " is ", here, " in this job, ", there, " in the checkpoint");
    }
  }
  return "";
}

std::string Differs(const std::string& what, const std::string& here, const std::string& there) {
  return absl::StrCat(what, " is ", here, " in this job, ", there, " in the checkpoint");
}

}  // namespace

ResumeIdentity JobIdentity(const JobConfig& job) {
  ResumeIdentity id;
  id.model = job.params.model;
  id.dataset_kind = job.dataset_kind;
  id.num_classes = job.num_classes;
  id.fold = job.fold;
  id.objective = absl::StrCat(job.objective_metric, job.objective_minimize ? " min" : " max");
  id.settings = job.params.settings.dump();
  id.samples = static_cast<int64_t>(job.samples.size());
  uint64_t hash = kFnvOffset;
  for (const JobSample& s : job.samples) {
    // The separator keeps ("ab", 1) and ("a", "b1") apart.
    hash = Fnv1a(absl::StrCat(s.id, "\x1f", s.key, "\x1f", s.label, "\x1f", s.fold, "\x1e"), hash);
  }
  id.samples_hash = hash;
  return id;
}

std::string IdentityMismatch(const ResumeIdentity& job, const ResumeIdentity& checkpoint) {
  if (job.model != checkpoint.model) return Differs("model", job.model, checkpoint.model);
  if (job.dataset_kind != checkpoint.dataset_kind) {
    return Differs("dataset kind", job.dataset_kind, checkpoint.dataset_kind);
  }
  if (job.num_classes != checkpoint.num_classes) {
    return Differs("num_classes", std::to_string(job.num_classes), std::to_string(checkpoint.num_classes));
  }
  if (job.fold != checkpoint.fold) return Differs("fold", std::to_string(job.fold), std::to_string(checkpoint.fold));
  if (job.objective != checkpoint.objective) return Differs("objective", job.objective, checkpoint.objective);
  if (job.settings != checkpoint.settings) return SettingsMismatch(job.settings, checkpoint.settings);
  if (job.samples != checkpoint.samples) {
    return Differs("the number of samples", std::to_string(job.samples), std::to_string(checkpoint.samples));
  }
  if (job.samples_hash != checkpoint.samples_hash) {
    return "the samples (ids, keys, labels or folds) differ from the checkpoint's";
  }
  return "";
}

absl::Status WriteFileAtomically(const std::string& path, const std::function<absl::Status(int fd)>& fill) {
  const std::string temp = absl::StrCat(path, ".tmp-", ::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", temp);
  absl::Status written = fill(fd);
  if (written.ok() && ::fsync(fd) != 0) written = Errno("fsync failed", temp);
  if (::close(fd) != 0 && written.ok()) written = Errno("close failed", temp);
  if (written.ok() && std::rename(temp.c_str(), path.c_str()) != 0) {
    written = Errno(absl::StrCat("cannot rename ", temp, " over it"), path);
  }
  if (!written.ok()) {
    std::remove(temp.c_str());
    return written;
  }
  SyncDirectory(path);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  return WriteFileAtomically(path, [&](int fd) { return WriteAll(fd, bytes.data(), bytes.size(), path); });
}

absl::Status WriteResumeCheckpoint(const std::string& path, const ResumeCheckpoint& checkpoint) {
  torch::serialize::OutputArchive archive;
  try {
    BuildArchive(checkpoint, archive);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path, ": cannot serialize the resume checkpoint: ", FirstLine(e)));
  }
  return WriteFileAtomically(path, [&](int fd) { return WriteCheckpointFile(fd, archive, path); });
}

absl::StatusOr<ResumeCheckpoint> ReadResumeCheckpoint(const std::string& path, const ResumeIdentity& expected) {
  FS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  FS_RETURN_IF_ERROR(VerifyFile(path, bytes));
  ResumeCheckpoint checkpoint;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize);
    checkpoint = FromArchive(archive);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": unreadable resume checkpoint: ", FirstLine(e)));
  }
  if (const std::string mismatch = IdentityMismatch(expected, checkpoint.identity); !mismatch.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": written for a different job: ", mismatch));
  }
  return checkpoint;
}

absl::Status WriteResumeSidecar(const std::string& out_dir, int epoch) {
  const nlohmann::ordered_json sidecar = {{"v", 1}, {"epoch", epoch}, {"file", kResumeFileName}};
  return WriteFileAtomically((std::filesystem::path(out_dir) / kResumeSidecarName).string(), sidecar.dump() + "\n");
}

}  // namespace foldstack::trainer
