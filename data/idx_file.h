// Reading IDX files (the MNIST / Fashion-MNIST format), plain or gzip'd.
#ifndef FOLDSTACK_DATA_IDX_FILE_H_
#define FOLDSTACK_DATA_IDX_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::data {

// Magic numbers: 0x00000801 = 1-D unsigned bytes (labels), 0x00000803 = 3-D unsigned bytes (images).
constexpr uint32_t kIdxLabelsMagic = 0x00000801;
constexpr uint32_t kIdxImagesMagic = 0x00000803;

// The most data bytes ReadIdxFile accepts (Fashion-MNIST's training images are 47 MB).
constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 32;

struct IdxArray {
  std::vector<uint32_t> dims;  // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;   // row-major, product(dims) bytes; empty when only the header was read
};

// Returns `dir/base` if it exists, else `dir/base.gz`; error naming both if neither does.
absl::StatusOr<std::string> FindIdxFile(const std::string& dir, const std::string& base);

// Reads an IDX file (gzip'd or plain; zlib reads both) and checks its magic
// number and that the dims hold at most kMaxIdxBytes. With header_only the data is not read (dims only).
absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path, uint32_t expected_magic, bool header_only = false);

// Writes `array` as a plain (not gzip'd) IDX file with `magic`; error when the
// magic's dimension count or the data size does not match the dims.
absl::Status WriteIdxFile(const std::string& path, uint32_t magic, const IdxArray& array);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_IDX_FILE_H_
