#include "worker/trainer/safetensors_header.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

// A file's bytes: the 8-byte length, `header`, then `data`.
std::string File(const std::string& header, const std::string& data = "") {
  const uint64_t size = header.size();
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &size, 8);
  return bytes + header + data;
}

absl::Status Parse(const std::string& header, const std::string& data = "") {
  return ParseSafetensorsHeader("m.safetensors", File(header, data)).status();
}

TEST(SafetensorsHeaderTest, ReadsEntriesInOffsetOrderAndMetadata) {
  const std::string header = R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                             R"("a":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}})";
  auto parsed = ParseSafetensorsHeader("m.safetensors", File(header, std::string(16, '\0')));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->tensors.size(), 2u);
  EXPECT_EQ(parsed->tensors[0].name, "a");
  EXPECT_EQ(parsed->tensors[0].dtype, SafetensorsDtype::kI64);
  EXPECT_EQ(parsed->tensors[1].name, "b");
  EXPECT_EQ(parsed->tensors[1].shape, std::vector<int64_t>{2});
  EXPECT_EQ(parsed->metadata.at("format"), "pt");
  EXPECT_EQ(parsed->data_offset, 8 + header.size());
}

// Found by fuzzing: a shape whose element count overflowed 64 bits could match a small span.
TEST(SafetensorsHeaderTest, HugeShapesAreRefusedNotOverflowed) {
  const absl::Status status =
      Parse(R"({"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})");
  EXPECT_EQ(status.message(), "m.safetensors: tensor \"x\": shape has more than 2^40 elements");
  EXPECT_EQ(Parse(R"({"x":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})", "1234").message(),
            "m.safetensors: tensor \"x\": shape has 9 dimensions, at most 8 are read");
}

// Found by fuzzing: names, dtypes and nlohmann's "last read" may hold line breaks or bad UTF-8.
TEST(SafetensorsHeaderTest, RefusalsQuoteInputOnOneLine) {
  EXPECT_EQ(Parse(R"({"a\nb":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')).message(),
            "m.safetensors: tensor \"a\\x0ab\": unsupported dtype F64 (supported: F32, F16, BF16, I64)");
  const std::string bad_json(Parse("{\"x\":\n\xff}").message());
  EXPECT_EQ(bad_json.find('\n'), std::string::npos) << bad_json;
  EXPECT_NE(bad_json.find("m.safetensors: bad safetensors header: "), std::string::npos) << bad_json;
  EXPECT_EQ(Parse(R"({"__metadata__":{"k\r":1}})").message(), "m.safetensors: __metadata__.k\\x0d is not a string");
}

TEST(SafetensorsHeaderTest, LengthsAndOffsetsAreChecked) {
  EXPECT_EQ(ParseSafetensorsHeader("m.safetensors", "abc").status().message(),
            "m.safetensors: truncated: 3 bytes, shorter than the 8-byte header length");
  EXPECT_NE(ParseSafetensorsHeader("m.safetensors", std::string("\xff\xff\xff\xff\xff\xff\xff\xff{}", 10))
                .status()
                .message()
                .find("exceeds the file size 10"),
            std::string::npos);
  EXPECT_EQ(Parse(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')).message(),
            "m.safetensors: tensor \"x\": data_offsets span 8 bytes but F32 shape needs 12");
  EXPECT_EQ(Parse(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234").code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Parse("[]").message(), "m.safetensors: bad safetensors header: not a JSON object");
}

}  // namespace
}  // namespace foldstack::trainer
