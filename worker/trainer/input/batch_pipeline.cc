#include "worker/trainer/input/batch_pipeline.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"

namespace foldstack::trainer {
namespace {

absl::Status CheckOptions(const PipelineOptions& options) {
  for (auto [name, value] : {std::pair{"batch_size", options.batch_size}, {"image_size", options.image_size},
                             {"threads", options.threads}, {"prefetch_batches", options.prefetch_batches}}) {
    if (value < 1) {
      return absl::InvalidArgumentError(absl::StrCat("pipeline options: ", name, ": expected >= 1, got ", value));
    }
  }
  return absl::OkStatus();
}

int64_t CountBatches(int64_t items, const PipelineOptions& options) {
  if (options.batch_size < 1) return 0;
  return options.drop_last ? items / options.batch_size : (items + options.batch_size - 1) / options.batch_size;
}

}  // namespace

BatchPipeline::BatchPipeline(const ImageProvider& images, std::vector<PipelineItem> items, PipelineOptions options,
                             SampleTransform transform)
    : images_(images),
      items_(std::move(items)),
      options_(std::move(options)),
      transform_(std::move(transform)),
      invalid_options_(CheckOptions(options_)),
      batch_count_(invalid_options_.ok() ? CountBatches(static_cast<int64_t>(items_.size()), options_) : 0) {
  if (!invalid_options_.ok()) return;
  claim_end_ = std::min<int64_t>(static_cast<int64_t>(items_.size()), batch_count_ * options_.batch_size);
  workers_.reserve(options_.threads);
  for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { Work(); });
}

BatchPipeline::~BatchPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  room_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

int BatchPipeline::BatchRows(int64_t batch) const {
  const int64_t first = batch * options_.batch_size;
  return static_cast<int>(std::min<int64_t>(options_.batch_size, static_cast<int64_t>(items_.size()) - first));
}

void BatchPipeline::Work() {
  const int64_t image_floats = int64_t{3} * options_.image_size * options_.image_size;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    room_.wait(lock, [&] {
      return stop_ || next_item_ >= claim_end_ ||
             next_item_ / options_.batch_size < delivered_ + options_.prefetch_batches;
    });
    if (stop_ || next_item_ >= claim_end_) return;
    const int64_t item = next_item_++;
    const int64_t batch_index = item / options_.batch_size;
    PendingBatch& batch = pending_[batch_index];  // std::map: the reference outlives later insertions
    if (!batch.images.defined()) {
      batch.remaining = BatchRows(batch_index);
      batch.images = BatchBufferLocked(batch.remaining);
    }
    float* out = batch.images.data_ptr<float>() + (item - batch_index * options_.batch_size) * image_floats;
    lock.unlock();
    absl::Status status = Produce(items_[item], out);
    lock.lock();
    if (!status.ok() && (batch.failed_item < 0 || item < batch.failed_item)) {
      batch.failed_item = item;
      batch.error = std::move(status);
      // Later batches are not needed: the error is handed out with this one.
      claim_end_ = std::min(claim_end_, (batch_index + 1) * options_.batch_size);
    }
    if (--batch.remaining == 0) ready_.notify_all();
  }
}

at::Tensor BatchPipeline::BatchBufferLocked(int rows) {
  for (const at::Tensor& buffer : buffers_) {
    // Only the pool refers to it: the consumer has dropped the batch (copies
    // share the tensor) and every view of it (views share the storage).
    if (buffer.size(0) == rows && buffer.use_count() == 1 && buffer.storage().use_count() == 1) return buffer;
  }
  at::Tensor buffer = at::empty({rows, 3, options_.image_size, options_.image_size}, at::kFloat);
  if (rows == options_.batch_size && buffers_.size() < static_cast<size_t>(options_.prefetch_batches) + 1) {
    buffers_.push_back(buffer);
  }
  return buffer;
}

absl::Status BatchPipeline::Produce(const PipelineItem& item, float* out) const {
  absl::StatusOr<data::DecodedImage> decoded = images_.Decode(item.key, options_.decode);
  if (!decoded.ok()) return decoded.status();
  if (decoded->rgb.empty() || decoded->rgb.type() != CV_8UC3) {
    return absl::InternalError(absl::StrCat(item.key, ": image provider returned OpenCV type ", decoded->rgb.type(),
                                            " of ", decoded->rgb.cols, "x", decoded->rgb.rows,
                                            ", expected non-empty 8-bit RGB"));
  }
  try {
    transform_(*decoded, item, out);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(item.key, ": image transform failed: ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<InputBatch>> BatchPipeline::Next() {
  if (!invalid_options_.ok()) return invalid_options_;
  std::unique_lock<std::mutex> lock(mu_);
  if (!failed_.ok()) return failed_;
  if (delivered_ >= batch_count_) return std::optional<InputBatch>();
  ready_.wait(lock, [&] {
    auto it = pending_.find(delivered_);
    return it != pending_.end() && it->second.remaining == 0;
  });
  auto node = pending_.extract(delivered_);
  PendingBatch& batch = node.mapped();
  if (batch.failed_item >= 0) {
    failed_ = batch.error;
    stop_ = true;
    room_.notify_all();
    return failed_;
  }
  InputBatch out;
  out.images = std::move(batch.images);
  const int64_t first = delivered_ * options_.batch_size;
  for (int64_t i = first; i < first + out.images.size(0); ++i) out.samples.push_back(items_[i].sample);
  ++delivered_;
  room_.notify_all();
  return std::optional<InputBatch>(std::move(out));
}

}  // namespace foldstack::trainer
