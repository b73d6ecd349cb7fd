#include "worker/trainer/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

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

// Parses one header entry into a tensor, validating it against the data section.
absl::StatusOr<torch::Tensor> DecodeTensor(const std::string& path, const std::string& name,
                                           const json& entry, const char* data, uint64_t data_size,
                                           std::pair<uint64_t, uint64_t>* span_out) {
  const std::string where = absl::StrCat(path, ": tensor \"", name, "\": ");
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets")) {
    return absl::InvalidArgumentError(absl::StrCat(where, "expected {dtype, shape, data_offsets}"));
  }
  if (!entry["dtype"].is_string()) return absl::InvalidArgumentError(where + "dtype is not a string");
  const std::string dtype = entry["dtype"].get<std::string>();
  const DtypeInfo* info = DtypeByName(dtype);
  if (info == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "unsupported dtype ", dtype, " (supported: F32, F16, BF16, I64)"));
  }
  std::vector<int64_t> shape;
  int64_t numel = 1;
  if (!entry["shape"].is_array()) return absl::InvalidArgumentError(where + "shape is not an array");
  for (const json& dim : entry["shape"]) {
    if (!dim.is_number_unsigned()) {
      return absl::InvalidArgumentError(where + "shape must hold non-negative integers");
    }
    shape.push_back(dim.get<int64_t>());
    numel *= shape.back();
  }
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    return absl::InvalidArgumentError(where + "data_offsets must be [begin, end]");
  }
  const uint64_t begin = offsets[0].get<uint64_t>();
  const uint64_t end = offsets[1].get<uint64_t>();
  if (begin > end || end > data_size) {
    return absl::OutOfRangeError(absl::StrCat(where, "data_offsets [", begin, ", ", end,
                                              "] out of range (data section has ", data_size,
                                              " bytes; file truncated?)"));
  }
  const uint64_t expected = static_cast<uint64_t>(numel) * torch::elementSize(info->file_type);
  if (end - begin != expected) {
    return absl::InvalidArgumentError(absl::StrCat(where, "data_offsets span ", end - begin,
                                                   " bytes but ", dtype, " shape needs ", expected));
  }
  torch::Tensor raw = torch::empty(shape, torch::TensorOptions().dtype(info->file_type));
  if (expected > 0) std::memcpy(raw.data_ptr(), data + begin, expected);
  *span_out = {begin, end};
  return raw.to(info->loaded_type);
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
  if (bytes->size() < 8) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: ", bytes->size(),
                                            " bytes, shorter than the 8-byte header length"));
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes->data(), sizeof(header_size));
  if (header_size > bytes->size() - 8) {
    return absl::DataLossError(absl::StrCat(path, ": header length ", header_size, " exceeds the file size ",
                                            bytes->size(), " (truncated or not a safetensors file)"));
  }
  json header;
  try {
    header = json::parse(bytes->begin() + 8, bytes->begin() + 8 + header_size);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": bad safetensors header: ", e.what()));
  }
  if (!header.is_object()) return absl::InvalidArgumentError(path + ": bad safetensors header: not a JSON object");

  const char* data = bytes->data() + 8 + header_size;
  const uint64_t data_size = bytes->size() - 8 - header_size;
  // Sorted by (begin, end) so that zero-sized tensors keep their written place.
  std::vector<std::tuple<std::pair<uint64_t, uint64_t>, std::string, torch::Tensor>> ordered;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return absl::InvalidArgumentError(path + ": __metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) {
          return absl::InvalidArgumentError(absl::StrCat(path, ": __metadata__.", key, " is not a string"));
        }
        if (metadata != nullptr) (*metadata)[key] = value.get<std::string>();
      }
      continue;
    }
    std::pair<uint64_t, uint64_t> span;
    absl::StatusOr<torch::Tensor> tensor = DecodeTensor(path, name, entry, data, data_size, &span);
    if (!tensor.ok()) return tensor.status();
    ordered.emplace_back(span, name, *std::move(tensor));
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
  NamedTensors result;
  for (auto& [span, name, tensor] : ordered) result.emplace_back(std::move(name), std::move(tensor));
  return result;
}

}  // namespace foldstack::trainer
