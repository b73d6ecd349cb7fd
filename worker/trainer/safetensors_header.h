// The safetensors header, read without LibTorch (so it is fuzzed alone, tests/fuzz): every check
// on a file's layout happens here, before any tensor is made. Format: safetensors.h.
#ifndef FOLDSTACK_WORKER_TRAINER_SAFETENSORS_HEADER_H_
#define FOLDSTACK_WORKER_TRAINER_SAFETENSORS_HEADER_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::trainer {

// The dtypes read and written: F32, F16, BF16 and I64.
enum class SafetensorsDtype { kF32, kF16, kBF16, kI64 };

struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets in the data section, end - begin == numel * element size
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;  // by (begin, end): zero-sized tensors keep their written place
  std::map<std::string, std::string> metadata;  // "__metadata__"
  uint64_t data_offset = 0;                     // where the data section starts in the file
};

// The name as written in a header ("F32", ...) and the bytes of one element.
const char* SafetensorsDtypeName(SafetensorsDtype dtype);
int SafetensorsDtypeSize(SafetensorsDtype dtype);

// Parses and checks the header of `file_bytes` (a whole file): its length, the JSON, each entry's
// dtype, shape (at most 8 dimensions, 2^40 elements) and offsets against the data section.
// Errors are one line naming `path` and, where there is one, the tensor.
absl::StatusOr<SafetensorsHeader> ParseSafetensorsHeader(const std::string& path, std::string_view file_bytes);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_SAFETENSORS_HEADER_H_
