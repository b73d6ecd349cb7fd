#include "worker/trainer/safetensors.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Writes a safetensors file by hand: header JSON (unpadded) + raw bytes.
void WriteRaw(const std::string& path, const std::string& header, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  const uint64_t size = header.size();
  char length[8];
  std::memcpy(length, &size, 8);
  out.write(length, 8);
  out << header << data;
}

std::string Bytes(std::initializer_list<uint16_t> halves) {
  std::string bytes;
  for (uint16_t h : halves) {
    bytes.push_back(static_cast<char>(h & 0xff));
    bytes.push_back(static_cast<char>(h >> 8));
  }
  return bytes;
}

TEST(SafetensorsTest, RoundTripKeepsOrderValuesAndMetadata) {
  const std::string path = TempPath("roundtrip.safetensors");
  torch::Tensor weight = torch::arange(12, torch::kFloat32).reshape({3, 4}) / 7.0;
  torch::Tensor count = torch::tensor(int64_t{42});
  torch::Tensor empty = torch::zeros({0, 5});
  // Names deliberately not alphabetical: the order must survive.
  ASSERT_TRUE(SaveSafetensors(path, {{"z.weight", weight}, {"a.count", count}, {"m.empty", empty}},
                              {{"format", "pt"}, {"epoch", "3"}})
                  .ok());
  std::map<std::string, std::string> metadata;
  auto loaded = LoadSafetensors(path, &metadata);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0].first, "z.weight");
  EXPECT_EQ((*loaded)[1].first, "a.count");
  EXPECT_EQ((*loaded)[2].first, "m.empty");
  EXPECT_TRUE(torch::equal((*loaded)[0].second, weight));
  EXPECT_EQ((*loaded)[1].second.scalar_type(), torch::kInt64);
  EXPECT_EQ((*loaded)[1].second.item<int64_t>(), 42);
  EXPECT_EQ((*loaded)[2].second.sizes(), empty.sizes());
  EXPECT_EQ(metadata["format"], "pt");
  EXPECT_EQ(metadata["epoch"], "3");

  // The header is padded so the data section starts 8-byte aligned.
  std::ifstream in(path, std::ios::binary);
  uint64_t header_size = 0;
  in.read(reinterpret_cast<char*>(&header_size), 8);
  EXPECT_EQ(header_size % 8, 0u);
}

TEST(SafetensorsTest, ReadsF16AndBf16AsFloat32) {
  const std::string path = TempPath("halves.safetensors");
  // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, 65504 = 0x7BFF.
  // BF16: 1.0 = 0x3F80, -2.0 = 0xC000, 0.5 = 0x3F00.
  WriteRaw(path,
           R"({"h":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},)"
           R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]}})",
           Bytes({0x3C00, 0xC000, 0x3800, 0x7BFF, 0x3F80, 0xC000, 0x3F00}));
  auto loaded = LoadSafetensors(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].first, "h");
  EXPECT_EQ((*loaded)[0].second.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal((*loaded)[0].second, torch::tensor({1.0f, -2.0f, 0.5f, 65504.0f}).reshape({2, 2})));
  EXPECT_EQ((*loaded)[1].first, "b");
  EXPECT_TRUE(torch::equal((*loaded)[1].second, torch::tensor({1.0f, -2.0f, 0.5f})));
}

TEST(SafetensorsTest, MissingFileIsNotFound) {
  auto loaded = LoadSafetensors(TempPath("does-not-exist.safetensors"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("does-not-exist.safetensors"), std::string::npos);
}

TEST(SafetensorsTest, TruncatedFilesAreRefused) {
  const std::string path = TempPath("truncated.safetensors");
  ASSERT_TRUE(SaveSafetensors(path, {{"w", torch::ones({64})}}).ok());
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();

  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 4);
  auto data_cut = LoadSafetensors(path);
  ASSERT_FALSE(data_cut.ok());
  EXPECT_NE(data_cut.status().message().find("out of range"), std::string::npos) << data_cut.status();

  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, 20);
  auto header_cut = LoadSafetensors(path);
  ASSERT_FALSE(header_cut.ok());
  EXPECT_NE(header_cut.status().message().find("exceeds the file size"), std::string::npos);

  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, 5);
  EXPECT_FALSE(LoadSafetensors(path).ok());
}

TEST(SafetensorsTest, NotASafetensorsFileIsRefused) {
  const std::string path = TempPath("not-safetensors.txt");
  std::ofstream(path) << "this is a plain text file, not a checkpoint\n";
  EXPECT_FALSE(LoadSafetensors(path).ok());

  WriteRaw(path, "{not json", "");
  auto bad_json = LoadSafetensors(path);
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("bad safetensors header"), std::string::npos);
}

TEST(SafetensorsTest, UnsupportedDtypeAndBadOffsetsNameTheTensor) {
  const std::string path = TempPath("dtype.safetensors");
  WriteRaw(path, R"({"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0'));
  auto dtype = LoadSafetensors(path);
  ASSERT_FALSE(dtype.ok());
  EXPECT_NE(dtype.status().message().find("tensor \"x\": unsupported dtype F64"), std::string::npos)
      << dtype.status();

  WriteRaw(path, R"({"y":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  auto mismatch = LoadSafetensors(path);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("tensor \"y\""), std::string::npos);

  WriteRaw(path, R"({"z":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", std::string(8, '\0'));
  EXPECT_FALSE(LoadSafetensors(path).ok());
}

TEST(SafetensorsTest, HalfPrecisionRoundTripsExactly) {
  const torch::Tensor values = torch::linspace(-3, 3, 11);
  const std::string path = TempPath("half.safetensors");
  ASSERT_TRUE(SaveSafetensors(path, {{"h", values.to(torch::kFloat16)}, {"b", values.to(torch::kBFloat16)}}).ok());
  auto loaded = LoadSafetensors(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(torch::equal((*loaded)[0].second, values.to(torch::kFloat16).to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal((*loaded)[1].second, values.to(torch::kBFloat16).to(torch::kFloat32)));
}

TEST(SafetensorsTest, RefusesUnwritableDtypes) {
  auto status = SaveSafetensors(TempPath("f64.safetensors"), {{"d", torch::ones({2}, torch::kFloat64)}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("\"d\""), std::string::npos);
}

}  // namespace
}  // namespace foldstack::trainer
