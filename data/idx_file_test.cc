#include "data/idx_file.h"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

std::string TempDir() { return std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp"; }

// An IDX byte string: big-endian magic and dims, then data.
std::string IdxBytes(uint32_t magic, const std::vector<uint32_t>& dims, const std::string& data) {
  std::string out;
  auto put = [&out](uint32_t v) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  put(magic);
  for (uint32_t d : dims) put(d);
  return out + data;
}

void WritePlain(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

void WriteGz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), bytes.size()), static_cast<int>(bytes.size()));
  gzclose(f);
}

TEST(IdxFileTest, ReadsPlainAndGzipped) {
  std::string bytes = IdxBytes(kIdxImagesMagic, {2, 2, 3}, "abcdefghijkl");
  WritePlain(TempDir() + "/plain-idx3", bytes);
  WriteGz(TempDir() + "/zipped-idx3.gz", bytes);
  for (const std::string name : {"plain-idx3", "zipped-idx3.gz"}) {
    auto array = ReadIdxFile(TempDir() + "/" + name, kIdxImagesMagic);
    ASSERT_TRUE(array.ok()) << array.status();
    EXPECT_EQ(array->dims, (std::vector<uint32_t>{2, 2, 3}));
    EXPECT_EQ(std::string(array->data.begin(), array->data.end()), "abcdefghijkl");
    auto header = ReadIdxFile(TempDir() + "/" + name, kIdxImagesMagic, /*header_only=*/true);
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->dims.size(), 3u);
    EXPECT_TRUE(header->data.empty());
  }
}

TEST(IdxFileTest, BadMagicAndTruncationAreNamed) {
  const std::string path = TempDir() + "/labels-idx1";
  WritePlain(path, IdxBytes(kIdxLabelsMagic, {5}, "abc"));
  auto wrong = ReadIdxFile(path, kIdxImagesMagic);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), path + ": bad IDX magic number 0x00000801, expected 0x00000803");
  auto truncated = ReadIdxFile(path, kIdxLabelsMagic);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(), path + ": truncated data: expected 5 bytes, got 3");
  auto missing = ReadIdxFile(TempDir() + "/nope", kIdxLabelsMagic);
  EXPECT_EQ(missing.status().message(), "cannot open " + TempDir() + "/nope");
}

// Found by fuzzing (tests/fuzz:idx): the dims' product could overflow, and a header claiming
// gigabytes made the reader allocate them all before finding the file short (bad_alloc).
TEST(IdxFileTest, HugeOrLyingDimsAreRefusedWithoutAllocating) {
  const std::string path = TempDir() + "/huge-idx3";
  WritePlain(path, IdxBytes(kIdxImagesMagic, {0xFFFFFFFF, 0xFFFFFFFF, 16}, "abcd"));
  EXPECT_EQ(ReadIdxFile(path, kIdxImagesMagic).status().message(),
            path + ": IDX dimensions 4294967295 x 4294967295... exceed 4294967296 bytes");
  WritePlain(path, IdxBytes(kIdxImagesMagic, {1000000, 60, 60}, "abcd"));
  EXPECT_EQ(ReadIdxFile(path, kIdxImagesMagic).status().message(),
            path + ": truncated data: expected 3600000000 bytes, got 4");
}

TEST(IdxFileTest, FindPrefersPlainThenGz) {
  const std::string dir = TempDir();
  WritePlain(dir + "/only-gz.gz", "x");
  WritePlain(dir + "/both", "x");
  WritePlain(dir + "/both.gz", "x");
  EXPECT_EQ(*FindIdxFile(dir, "only-gz"), dir + "/only-gz.gz");
  EXPECT_EQ(*FindIdxFile(dir, "both"), dir + "/both");
  auto missing = FindIdxFile(dir, "absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "dataset root " + dir + ": missing absent (or absent.gz)");
}

TEST(IdxFileTest, WrittenFileReadsBack) {
  IdxArray array{{3, 2}, {1, 2, 3, 4, 5, 6}};
  const std::string path = TempDir() + "/written-idx2";
  ASSERT_TRUE(WriteIdxFile(path, 0x00000802, array).ok());
  auto read = ReadIdxFile(path, 0x00000802);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->dims, array.dims);
  EXPECT_EQ(read->data, array.data);
}

TEST(IdxFileTest, WriteRejectsDataThatDoesNotMatchTheDims) {
  IdxArray array{{3}, {1, 2}};
  EXPECT_EQ(WriteIdxFile(TempDir() + "/bad-idx1", kIdxLabelsMagic, array).message(),
            TempDir() + "/bad-idx1: IDX magic 0x00000801 with 1 dims and 2 bytes, expected 1 dims and 3 bytes");
}

}  // namespace
}  // namespace foldstack::data
