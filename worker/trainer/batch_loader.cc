#include "worker/trainer/batch_loader.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/strings/str_cat.h"

namespace foldstack::trainer {
namespace {

absl::Status CopyNormalized(const std::string& key, const cv::Mat& image, int size, bool flip, float* out) {
  if (image.type() != CV_8UC3 || image.rows != size || image.cols != size) {
    return absl::InternalError(absl::StrCat(key, ": image provider returned a ", image.cols, "x", image.rows,
                                            " image of OpenCV type ", image.type(), ", expected ", size, "x",
                                            size, " 8-bit RGB"));
  }
  const size_t plane = static_cast<size_t>(size) * size;
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < size; ++x) {
      const uint8_t* pixel = row + 3 * (flip ? size - 1 - x : x);
      const size_t offset = static_cast<size_t>(y) * size + x;
      for (int c = 0; c < 3; ++c) {
        out[c * plane + offset] = (pixel[c] / 255.0f - kImageNetMean[c]) / kImageNetStd[c];
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadBatch(const ImageProvider& images, const std::vector<BatchItem>& items, int size,
                       int threads, float* out) {
  const size_t image_floats = static_cast<size_t>(3) * size * size;
  std::vector<absl::Status> errors(items.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < items.size(); i = next++) {
      absl::StatusOr<cv::Mat> image = images.Load(items[i].key, size);
      errors[i] = image.ok() ? CopyNormalized(items[i].key, *image, size, items[i].flip, out + i * image_floats)
                             : image.status();
    }
  };
  const size_t workers = std::min<size_t>(std::max(threads, 1), items.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();  // the calling thread takes a share too
  for (std::thread& thread : pool) thread.join();
  for (const absl::Status& error : errors) {
    if (!error.ok()) return error;
  }
  return absl::OkStatus();
}

}  // namespace foldstack::trainer
