#include "coordinator/store/prob_chunks.h"

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

// Rows of random floats, among them values a JSON or float16 form would not keep exactly.
std::vector<float> RandomRows(size_t rows, int width, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> probs(rows * static_cast<size_t>(width));
  for (float& p : probs) p = unit(rng);
  if (!probs.empty()) probs[0] = std::numeric_limits<float>::denorm_min();
  if (probs.size() > 1) probs[1] = std::nextafter(1.0f, 0.0f);
  return probs;
}

TEST(ProbChunksTest, RoundTripIsExactForEveryWidth) {
  for (int width : {2, 3, 18}) {
    const std::vector<int64_t> ids = {7, 0, 2147483647, 42};
    const std::vector<float> probs = RandomRows(ids.size(), width, static_cast<uint32_t>(width));
    absl::StatusOr<EncodedChunk> chunk = EncodeChunk(ids, probs, width);
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    EXPECT_EQ(chunk->rows, 4);
    EXPECT_EQ(chunk->width, width);
    EXPECT_EQ(chunk->ids.size(), ids.size() * 4);
    EXPECT_EQ(chunk->predicted.size(), ids.size() * 2);
    EXPECT_EQ(chunk->probs.size(), probs.size() * 4);
    absl::StatusOr<std::vector<int64_t>> back_ids = DecodeIds(chunk->ids, chunk->rows);
    ASSERT_TRUE(back_ids.ok()) << back_ids.status();
    EXPECT_EQ(*back_ids, ids);
    std::vector<float> back(probs.size(), -1.0f);
    ASSERT_TRUE(DecodeProbs(chunk->probs, static_cast<int64_t>(back.size()), back.data()).ok());
    EXPECT_EQ(std::memcmp(back.data(), probs.data(), probs.size() * sizeof(float)), 0) << "width " << width;
  }
}

TEST(ProbChunksTest, BytesAreLittleEndianWithArgmax) {
  const std::vector<float> probs = {0.25f, 0.75f, 0.5f, 0.5f};
  absl::StatusOr<EncodedChunk> chunk = EncodeChunk({0x01020304, 5}, probs, 2);
  ASSERT_TRUE(chunk.ok()) << chunk.status();
  EXPECT_EQ(chunk->ids, std::string("\x04\x03\x02\x01\x05\0\0\0", 8));
  EXPECT_EQ(chunk->predicted, std::string("\x01\0\0\0", 4));  // row 2 ties: the first class
  EXPECT_EQ(chunk->probs.substr(0, 4), std::string("\0\0\x80\x3e", 4));  // 0.25f = 0x3e800000
}

TEST(ProbChunksTest, EmptyChunksAndRows) {
  absl::StatusOr<EncodedChunk> none = EncodeChunk({}, {}, 18);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->rows, 0);
  EXPECT_TRUE(none->ids.empty() && none->predicted.empty() && none->probs.empty());
  EXPECT_TRUE(DecodeIds("", 0)->empty());
  EXPECT_TRUE(DecodeProbs("", 0, nullptr).ok());
  absl::StatusOr<EncodedChunk> zero_width = EncodeChunk({3}, {}, 0);
  ASSERT_TRUE(zero_width.ok()) << zero_width.status();
  EXPECT_EQ(zero_width->predicted, std::string("\0\0", 2));
}

TEST(ProbChunksTest, RefusesWhatDoesNotFit) {
  EXPECT_EQ(EncodeChunk({1}, {0.5f}, 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeChunk({int64_t{1} << 31}, {1.0f}, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeChunk({-1}, {1.0f}, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeChunk({1}, {70000}, {1.0f}, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeChunk({1}, {}, kMaxChunkWidth + 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeIds("abc", 1).status().code(), absl::StatusCode::kDataLoss);
  float out[2];
  EXPECT_EQ(DecodeProbs("abcd", 2, out).code(), absl::StatusCode::kDataLoss);
}

TEST(ProbChunksTest, ArgMaxTakesFirstOfTies) {
  EXPECT_EQ(ArgMax(std::vector<float>{0.2f, 0.4f, 0.4f}), 1);
  EXPECT_EQ(ArgMax(std::vector<float>{0.9f}), 0);
  EXPECT_EQ(ArgMax({}), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
