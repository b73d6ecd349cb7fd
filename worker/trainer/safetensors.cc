#include "worker/trainer/safetensors.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/safetensors_header.h"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;

// safetensors stores little-endian data; this code copies bytes as they are.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

struct DtypeInfo {
  const char* name;
  torch::ScalarType file_type;    // how the bytes are laid out in the file
  torch::ScalarType loaded_type;  // what LoadSafetensors returns
  bool writable;
};

constexpr DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat32, torch::kFloat32, true},
    {"I64", torch::kInt64, torch::kInt64, true},
    {"F16", torch::kFloat16, torch::kFloat32, true},
    {"BF16", torch::kBFloat16, torch::kFloat32, true},
};

const DtypeInfo* DtypeByName(const std::string& name) {
  for (const DtypeInfo& info : kDtypes) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

const DtypeInfo* WritableDtype(torch::ScalarType type) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.writable && info.file_type == type) return &info;
  }
  return nullptr;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open safetensors file"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return bytes;
}

}  // namespace

absl::Status SaveSafetensors(const std::string& path, const NamedTensors& tensors,
                             const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  std::vector<torch::Tensor> contiguous;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || header.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": duplicate or reserved tensor name \"", name, "\""));
    }
    const DtypeInfo* info = WritableDtype(tensor.scalar_type());
    if (info == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": tensor \"", name, "\" has dtype ",
                                                     c10::toString(tensor.scalar_type()),
                                                     "; only float32, float16, bfloat16 and int64 can be written"));
    }
    torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t size = cpu.numel() * cpu.element_size();
    header[name] = {{"dtype", info->name}, {"shape", cpu.sizes().vec()}, {"data_offsets", {offset, offset + size}}};
    offset += size;
    contiguous.push_back(cpu);
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // align the data section

  const std::string temp_path = path + ".tmp";
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    if (!out) return absl::PermissionDeniedError(absl::StrCat(temp_path, ": cannot open for writing"));
    const uint64_t header_size = header_text.size();
    char length[8];
    std::memcpy(length, &header_size, sizeof(length));
    out.write(length, sizeof(length));
    out.write(header_text.data(), header_text.size());
    for (const torch::Tensor& t : contiguous) {
      out.write(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
    }
    out.flush();
    if (!out) return absl::DataLossError(absl::StrCat(temp_path, ": write failed (disk full?)"));
  }
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", temp_path, " to ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<NamedTensors> LoadSafetensors(const std::string& path,
                                             std::map<std::string, std::string>* metadata) {
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<SafetensorsHeader> header = ParseSafetensorsHeader(path, *bytes);
  if (!header.ok()) return header.status();
  if (metadata != nullptr) metadata->insert(header->metadata.begin(), header->metadata.end());
  const char* data = bytes->data() + header->data_offset;
  NamedTensors result;
  for (const SafetensorsEntry& entry : header->tensors) {
    // The header parser knows the same four dtypes as kDtypes.
    const DtypeInfo* info = DtypeByName(SafetensorsDtypeName(entry.dtype));
    torch::Tensor raw = torch::empty(entry.shape, torch::TensorOptions().dtype(info->file_type));
    if (entry.end > entry.begin) std::memcpy(raw.data_ptr(), data + entry.begin, entry.end - entry.begin);
    result.emplace_back(entry.name, raw.to(info->loaded_type));
  }
  return result;
}

}  // namespace foldstack::trainer
