// The trainer's input pipeline: decode, transform and batch images on a pool of
// threads, ahead of the training loop but never more than a bounded amount.
#ifndef FOLDSTACK_WORKER_TRAINER_INPUT_BATCH_PIPELINE_H_
#define FOLDSTACK_WORKER_TRAINER_INPUT_BATCH_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <ATen/core/Tensor.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/image_source.h"
#include "worker/trainer/image_provider.h"

namespace foldstack::trainer {

struct PipelineItem {
  int64_t sample = 0;  // the caller's index, handed back with the batch
  std::string key;
  uint64_t seed = 0;  // for the item's random draws (augmentation)
};

// Turns one decoded image into 3*S*S floats (CHW) at `out`. Called on the
// pipeline's threads, so it must be thread-safe; for outputs that do not depend
// on the thread count it must depend on nothing but its arguments.
using SampleTransform = std::function<void(const data::DecodedImage&, const PipelineItem&, float* out)>;

struct PipelineOptions {
  int batch_size = 32;
  int image_size = 224;  // S: every transform output is 3 x S x S
  int threads = 2;
  int prefetch_batches = 2;  // batches finished or in work ahead of the consumer
  data::DecodeTarget decode;
  bool drop_last = false;  // drop a last batch smaller than batch_size
};

struct InputBatch {
  at::Tensor images;             // [B, 3, S, S] float32
  std::vector<int64_t> samples;  // PipelineItem::sample of each row
};

// Pixels alive at once (batch buffers, images being decoded) stay under
// prefetch_batches + threads batches' worth, whatever the number of items:
// a worker claims the next item (in order) only while its batch is fewer than
// prefetch_batches batches ahead of the last one handed out.
class BatchPipeline {
 public:
  // Starts `threads` workers at once; `items` is the epoch's order and batches
  // come out in that order.
  BatchPipeline(const ImageProvider& images, std::vector<PipelineItem> items, PipelineOptions options,
                SampleTransform transform);
  // Stops and joins the workers promptly, even mid-epoch (each finishes at
  // most the image in hand).
  ~BatchPipeline();
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;

  // The next batch; std::nullopt after the last one. A failed decode or
  // transform is returned as the error of the earliest failing item in order
  // (naming its key/path, independent of thread timing) and ends the pipeline:
  // every later call returns the same error. Invalid options are an error too.
  absl::StatusOr<std::optional<InputBatch>> Next();

  int64_t batch_count() const { return batch_count_; }

 private:
  struct PendingBatch {
    at::Tensor images;
    int remaining = 0;          // items not yet finished
    int64_t failed_item = -1;   // earliest failing item so far
    absl::Status error;
  };

  void Work();
  // A [rows, 3, S, S] buffer, reused from buffers_ when one is free.
  at::Tensor BatchBufferLocked(int rows);
  absl::Status Produce(const PipelineItem& item, float* out) const;
  int BatchRows(int64_t batch) const;

  const ImageProvider& images_;
  const std::vector<PipelineItem> items_;
  const PipelineOptions options_;
  const SampleTransform transform_;
  const absl::Status invalid_options_;
  const int64_t batch_count_;

  std::mutex mu_;
  std::condition_variable room_;   // workers wait for a claimable item
  std::condition_variable ready_;  // Next() waits for its batch to finish
  int64_t next_item_ = 0;          // the next item to claim
  int64_t claim_end_ = 0;          // items from here on are not claimed
  int64_t delivered_ = 0;          // batches handed out by Next()
  std::map<int64_t, PendingBatch> pending_;
  // Full-size batch buffers, reused once the consumer has let go of them
  // (prefetch_batches in work + the one the consumer holds). A fresh multi-MB
  // buffer per batch made glibc's malloc (its mmap threshold rises after the
  // first such buffer is freed) fragment its heap: RSS crept up with every epoch.
  std::vector<at::Tensor> buffers_;
  absl::Status failed_;  // sticky once Next() returned an item's error
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_INPUT_BATCH_PIPELINE_H_
