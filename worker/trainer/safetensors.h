#ifndef FOLDSTACK_WORKER_TRAINER_SAFETENSORS_H_
#define FOLDSTACK_WORKER_TRAINER_SAFETENSORS_H_

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace foldstack::trainer {

// Named tensors in file / state-dict order.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>"}}
// (padded with spaces to a multiple of 8), then the raw little-endian tensor
// bytes; offsets are relative to the end of the header.
//
// Writes F32, F16, BF16 and I64 tensors (I64 for BatchNorm's num_batches_tracked, as
// timm's checkpoints do); any other dtype is refused. The file is written to
// "<path>.tmp" and renamed, so readers never see half a checkpoint.
absl::Status SaveSafetensors(const std::string& path, const NamedTensors& tensors,
                             const std::map<std::string, std::string>& metadata = {});

// Reads F32, F16 and BF16 (all returned as float32) and I64 (kept int64), in
// data-offset order. Errors name the file and the offending tensor: missing
// file, truncated file, malformed header, unsupported dtype, offsets out of
// range or not matching the shape. `metadata`, when given, receives
// "__metadata__".
absl::StatusOr<NamedTensors> LoadSafetensors(const std::string& path,
                                             std::map<std::string, std::string>* metadata = nullptr);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_SAFETENSORS_H_
