#include "coordinator/store/prob_chunks.h"

#include <cstring>
#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"

namespace foldstack::coordinator {
namespace {

// Values are copied with memcpy, so the blobs are little-endian only on a little-endian host;
// every host Foldstack builds for (x86-64, aarch64) is one.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "prob_chunks assumes a little-endian host");

template <typename T>
void Append(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

absl::Status CheckShape(size_t rows, size_t probs, int32_t width) {
  if (width < 0 || width > kMaxChunkWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability chunk: width ", width, "; expected 0 to ", kMaxChunkWidth));
  }
  if (probs != rows * static_cast<size_t>(width)) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability chunk: ", probs, " values for ", rows, " rows x ", width));
  }
  return absl::OkStatus();
}

absl::StatusOr<EncodedChunk> Encode(absl::Span<const int64_t> ids, absl::Span<const float> probs, int32_t width,
                                    const std::function<int64_t(size_t)>& predicted_of) {
  if (absl::Status shape = CheckShape(ids.size(), probs.size(), width); !shape.ok()) return shape;
  EncodedChunk chunk;
  chunk.rows = static_cast<int64_t>(ids.size());
  chunk.width = width;
  chunk.ids.reserve(ids.size() * 4);
  chunk.predicted.reserve(ids.size() * 2);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("probability chunk: row ", i, ": id ", ids[i],
                                                     " does not fit a 32-bit id"));
    }
    const int64_t predicted = predicted_of(i);
    if (predicted < 0 || predicted > std::numeric_limits<uint16_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("probability chunk: row ", i, ": predicted class ",
                                                     predicted, "; expected 0 to 65535"));
    }
    Append(chunk.ids, static_cast<int32_t>(ids[i]));
    Append(chunk.predicted, static_cast<uint16_t>(predicted));
  }
  chunk.probs.resize(probs.size() * sizeof(float));
  if (!probs.empty()) std::memcpy(chunk.probs.data(), probs.data(), chunk.probs.size());
  return chunk;
}

}  // namespace

absl::StatusOr<EncodedChunk> EncodeChunk(absl::Span<const int64_t> ids, absl::Span<const float> probs,
                                         int32_t width) {
  return Encode(ids, probs, width, [&](size_t row) -> int64_t {
    return ArgMax(probs.subspan(row * static_cast<size_t>(width), static_cast<size_t>(width)));
  });
}

absl::StatusOr<EncodedChunk> EncodeChunk(absl::Span<const int64_t> ids, absl::Span<const int64_t> predicted,
                                         absl::Span<const float> probs, int32_t width) {
  if (predicted.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability chunk: ", predicted.size(), " predicted classes for ", ids.size(), " rows"));
  }
  return Encode(ids, probs, width, [&](size_t row) { return predicted[row]; });
}

absl::StatusOr<std::vector<int64_t>> DecodeIds(absl::string_view blob, int64_t rows) {
  if (rows < 0 || blob.size() != static_cast<size_t>(rows) * 4) {
    return absl::DataLossError(absl::StrCat("ids blob of ", blob.size(), " bytes for ", rows, " rows"));
  }
  std::vector<int64_t> ids(static_cast<size_t>(rows));
  for (size_t i = 0; i < ids.size(); ++i) {
    int32_t id = 0;
    std::memcpy(&id, blob.data() + i * 4, 4);
    ids[i] = id;
  }
  return ids;
}

absl::Status DecodeProbs(absl::string_view blob, int64_t count, float* out) {
  if (count < 0 || blob.size() != static_cast<size_t>(count) * sizeof(float)) {
    return absl::DataLossError(absl::StrCat("probabilities blob of ", blob.size(), " bytes for ", count, " values"));
  }
  if (count > 0) std::memcpy(out, blob.data(), blob.size());
  return absl::OkStatus();
}

int ArgMax(absl::Span<const float> probs) {
  int best = 0;
  for (size_t i = 1; i < probs.size(); ++i) {
    if (probs[i] > probs[best]) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace foldstack::coordinator
