#include "worker/trainer/safetensors_header.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/one_line.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;
using common::Printable;

constexpr SafetensorsDtype kDtypes[] = {SafetensorsDtype::kF32, SafetensorsDtype::kF16, SafetensorsDtype::kBF16,
                                        SafetensorsDtype::kI64};
// Far beyond any model here; keeps numel * element size inside 64 bits.
constexpr size_t kMaxDims = 8;
constexpr uint64_t kMaxElements = uint64_t{1} << 40;

absl::StatusOr<SafetensorsEntry> ParseEntry(const std::string& path, const std::string& name, const json& entry,
                                            uint64_t data_size) {
  const std::string where = absl::StrCat(path, ": tensor \"", Printable(name), "\": ");
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets")) {
    return absl::InvalidArgumentError(absl::StrCat(where, "expected {dtype, shape, data_offsets}"));
  }
  SafetensorsEntry parsed;
  parsed.name = name;
  const json& dtype = entry["dtype"];
  if (!dtype.is_string()) return absl::InvalidArgumentError(where + "dtype is not a string");
  const auto known = std::find_if(std::begin(kDtypes), std::end(kDtypes), [&](SafetensorsDtype d) {
    return dtype.get_ref<const std::string&>() == SafetensorsDtypeName(d);
  });
  if (known == std::end(kDtypes)) {
    return absl::InvalidArgumentError(absl::StrCat(where, "unsupported dtype ", Printable(dtype.get<std::string>()),
                                                   " (supported: F32, F16, BF16, I64)"));
  }
  parsed.dtype = *known;
  const json& shape = entry["shape"];
  if (!shape.is_array()) return absl::InvalidArgumentError(where + "shape is not an array");
  if (shape.size() > kMaxDims) {
    return absl::InvalidArgumentError(absl::StrCat(where, "shape has ", shape.size(), " dimensions, at most ",
                                                   kMaxDims, " are read"));
  }
  uint64_t numel = 1;
  for (const json& dim : shape) {
    if (!dim.is_number_unsigned()) {
      return absl::InvalidArgumentError(where + "shape must hold non-negative integers");
    }
    const uint64_t size = dim.get<uint64_t>();
    if (size > kMaxElements || (size > 0 && numel > kMaxElements / size)) {
      return absl::InvalidArgumentError(absl::StrCat(where, "shape has more than 2^40 elements"));
    }
    numel *= size;
    parsed.shape.push_back(static_cast<int64_t>(size));
  }
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    return absl::InvalidArgumentError(where + "data_offsets must be [begin, end]");
  }
  parsed.begin = offsets[0].get<uint64_t>();
  parsed.end = offsets[1].get<uint64_t>();
  if (parsed.begin > parsed.end || parsed.end > data_size) {
    return absl::OutOfRangeError(absl::StrCat(where, "data_offsets [", parsed.begin, ", ", parsed.end,
                                              "] out of range (data section has ", data_size,
                                              " bytes; file truncated?)"));
  }
  const uint64_t expected = numel * SafetensorsDtypeSize(parsed.dtype);
  if (parsed.end - parsed.begin != expected) {
    return absl::InvalidArgumentError(absl::StrCat(where, "data_offsets span ", parsed.end - parsed.begin,
                                                   " bytes but ", SafetensorsDtypeName(parsed.dtype),
                                                   " shape needs ", expected));
  }
  return parsed;
}

absl::Status ReadMetadata(const std::string& path, const json& entry, std::map<std::string, std::string>* out) {
  if (!entry.is_object()) return absl::InvalidArgumentError(path + ": __metadata__ is not an object");
  for (const auto& [key, value] : entry.items()) {
    if (!value.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": __metadata__.", Printable(key), " is not a string"));
    }
    (*out)[key] = value.get<std::string>();
  }
  return absl::OkStatus();
}

}  // namespace

const char* SafetensorsDtypeName(SafetensorsDtype dtype) {
  switch (dtype) {
    case SafetensorsDtype::kF32: return "F32";
    case SafetensorsDtype::kF16: return "F16";
    case SafetensorsDtype::kBF16: return "BF16";
    case SafetensorsDtype::kI64: return "I64";
  }
  return "?";
}

int SafetensorsDtypeSize(SafetensorsDtype dtype) {
  switch (dtype) {
    case SafetensorsDtype::kF32: return 4;
    case SafetensorsDtype::kF16:
    case SafetensorsDtype::kBF16: return 2;
    case SafetensorsDtype::kI64: return 8;
  }
  return 0;
}

absl::StatusOr<SafetensorsHeader> ParseSafetensorsHeader(const std::string& path, std::string_view file_bytes) {
  if (file_bytes.size() < 8) {
    return absl::DataLossError(absl::StrCat(path, ": truncated: ", file_bytes.size(),
                                            " bytes, shorter than the 8-byte header length"));
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, file_bytes.data(), sizeof(header_size));  // little-endian, as the host
  if (header_size > file_bytes.size() - 8) {
    return absl::DataLossError(absl::StrCat(path, ": header length ", header_size, " exceeds the file size ",
                                            file_bytes.size(), " (truncated or not a safetensors file)"));
  }
  json header;
  try {
    header = json::parse(file_bytes.substr(8, header_size));
  } catch (const json::exception& e) {
    // nlohmann quotes the bytes it last read, which may be anything.
    return absl::InvalidArgumentError(absl::StrCat(path, ": bad safetensors header: ", Printable(e.what())));
  }
  if (!header.is_object()) return absl::InvalidArgumentError(path + ": bad safetensors header: not a JSON object");

  SafetensorsHeader parsed;
  parsed.data_offset = 8 + header_size;
  const uint64_t data_size = file_bytes.size() - parsed.data_offset;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (auto s = ReadMetadata(path, entry, &parsed.metadata); !s.ok()) return s;
      continue;
    }
    absl::StatusOr<SafetensorsEntry> tensor = ParseEntry(path, name, entry, data_size);
    if (!tensor.ok()) return tensor.status();
    parsed.tensors.push_back(*std::move(tensor));
  }
  std::stable_sort(parsed.tensors.begin(), parsed.tensors.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  return parsed;
}

}  // namespace foldstack::trainer
