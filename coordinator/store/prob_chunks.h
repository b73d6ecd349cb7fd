// The compact form of stored probability rows (schema 11): a job's rows are kept in chunks of at
// most kChunkRows rows, each chunk three little-endian blobs: int32 ids (samples.id or eval rows),
// uint16 argmax, float32 probabilities (rows x width, row-major). 4-5 bytes a value instead of the
// ~15 of a JSON array; the predictions and eval_probs views decode them for analysts.
#ifndef FOLDSTACK_COORDINATOR_STORE_PROB_CHUNKS_H_
#define FOLDSTACK_COORDINATOR_STORE_PROB_CHUNKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace foldstack::coordinator {

inline constexpr int64_t kChunkRows = 512;
// The widest row a chunk holds: the views index rows and classes with prob_seq (0..4095).
inline constexpr int32_t kMaxChunkWidth = 4096;

struct EncodedChunk {
  int64_t rows = 0;
  int32_t width = 0;
  std::string ids;        // rows x int32
  std::string predicted;  // rows x uint16: each row's argmax
  std::string probs;      // rows x width x float32
};

// Encodes ids.size() rows of `width` probabilities. INVALID_ARGUMENT when an id is outside int32,
// the width outside 0..kMaxChunkWidth or probs.size() != ids.size() * width.
absl::StatusOr<EncodedChunk> EncodeChunk(absl::Span<const int64_t> ids, absl::Span<const float> probs,
                                         int32_t width);

// As EncodeChunk with each row's argmax given rather than computed (a stored value carried over);
// INVALID_ARGUMENT when one is outside uint16.
absl::StatusOr<EncodedChunk> EncodeChunk(absl::Span<const int64_t> ids, absl::Span<const int64_t> predicted,
                                         absl::Span<const float> probs, int32_t width);

// `rows` int32 ids from `blob`; DATA_LOSS when its size is not rows x 4.
absl::StatusOr<std::vector<int64_t>> DecodeIds(absl::string_view blob, int64_t rows);

// `count` float32 values from `blob` into out[0..count); DATA_LOSS when its size is not count x 4.
absl::Status DecodeProbs(absl::string_view blob, int64_t count, float* out);

// Index of the largest value (the first one on ties); 0 for an empty span.
int ArgMax(absl::Span<const float> probs);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PROB_CHUNKS_H_
