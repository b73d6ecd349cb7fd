#ifndef FOLDSTACK_WORKER_TRAINER_BATCH_LOADER_H_
#define FOLDSTACK_WORKER_TRAINER_BATCH_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "worker/trainer/image_provider.h"

namespace foldstack::trainer {

// One image of a batch: its key and whether to mirror it left-right (the
// training augmentation; decided by the caller's seeded RNG so runs repeat).
struct BatchItem {
  std::string key;
  bool flip = false;
};

// ImageNet normalization applied to [0, 1]-scaled RGB.
inline constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

// Loads items[i] at size x size and writes it, normalized, into
// out[i * 3 * size * size ...] as CHW float32 (so `out` is an NCHW batch with
// room for items.size() images). Decoding runs on up to `threads` threads.
// On failure returns the error of the first failing item (lowest index), which
// names its key, so the error does not depend on thread timing.
absl::Status LoadBatch(const ImageProvider& images, const std::vector<BatchItem>& items, int size,
                       int threads, float* out);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_BATCH_LOADER_H_
