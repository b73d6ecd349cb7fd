#include "data/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace foldstack::data {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `n` bytes or reports how many were read; `expected` and `before` count a whole
// section read in parts (0: this read is the whole section).
absl::Status ReadExactly(gzFile file, void* out, size_t n, const std::string& path, const char* what,
                         uint64_t expected = 0, uint64_t before = 0) {
  char* dst = static_cast<char*>(out);
  size_t done = 0;
  while (done < n) {
    // gzread takes an unsigned count; read in chunks well below 4 GiB.
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    int got = gzread(file, dst + done, chunk);
    if (got < 0) return absl::DataLossError(absl::StrCat(path, ": read error in ", what));
    if (got == 0) {
      return absl::DataLossError(absl::StrCat(path, ": truncated ", what, ": expected ",
                                              expected > 0 ? expected : n, " bytes, got ", before + done));
    }
    done += static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

uint32_t BigEndian32(const unsigned char b[4]) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

absl::StatusOr<std::string> FindIdxFile(const std::string& dir, const std::string& base) {
  std::string plain = (std::filesystem::path(dir) / base).string();
  std::error_code ec;
  if (std::filesystem::is_regular_file(plain, ec)) return plain;
  if (std::filesystem::is_regular_file(plain + ".gz", ec)) return plain + ".gz";
  return absl::NotFoundError(absl::StrCat("dataset root ", dir, ": missing ", base, " (or ", base, ".gz)"));
}

absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path, uint32_t expected_magic, bool header_only) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  unsigned char word[4];
  if (auto s = ReadExactly(file.get(), word, 4, path, "header"); !s.ok()) return s;
  uint32_t magic = BigEndian32(word);
  if (magic != expected_magic) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: bad IDX magic number 0x%08x, expected 0x%08x", path, magic, expected_magic));
  }
  IdxArray array;
  const int num_dims = magic & 0xff;
  uint64_t total = 1;
  for (int d = 0; d < num_dims; ++d) {
    if (auto s = ReadExactly(file.get(), word, 4, path, "header"); !s.ok()) return s;
    array.dims.push_back(BigEndian32(word));
    // Checked per dimension: three 32-bit sizes can overflow 64 bits.
    if (array.dims.back() > 0 && total > kMaxIdxBytes / array.dims.back()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": IDX dimensions ", absl::StrJoin(array.dims, " x "),
                                                     "... exceed ", kMaxIdxBytes, " bytes"));
    }
    total *= array.dims.back();
  }
  if (header_only) return array;
  // Grown as the bytes arrive, so a header claiming more than the file holds costs no memory.
  constexpr uint64_t kChunk = uint64_t{16} << 20;
  while (array.data.size() < total) {
    const size_t done = array.data.size();
    array.data.resize(done + std::min(kChunk, total - done));
    if (auto s = ReadExactly(file.get(), array.data.data() + done, array.data.size() - done, path, "data",
                             total, done);
        !s.ok()) {
      return s;
    }
  }
  return array;
}

absl::Status WriteIdxFile(const std::string& path, uint32_t magic, const IdxArray& array) {
  size_t total = 1;
  for (uint32_t d : array.dims) total *= d;
  if (array.dims.size() != (magic & 0xff) || array.data.size() != total) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: IDX magic 0x%08x with %d dims and %d bytes, expected %d dims and %d bytes",
                                                      path, magic, array.dims.size(), array.data.size(), magic & 0xff, total));
  }
  std::string header;
  auto put = [&header](uint32_t v) {
    for (int shift : {24, 16, 8, 0}) header.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  put(magic);
  for (uint32_t d : array.dims) put(d);
  std::ofstream out(path, std::ios::binary);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char*>(array.data.data()), array.data.size());
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace foldstack::data
