// Loading sample pixels for the trainer.
#ifndef FOLDSTACK_DATA_IMAGE_SOURCE_H_
#define FOLDSTACK_DATA_IMAGE_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "opencv2/core.hpp"

namespace foldstack::data {

// Load() is thread-safe: the mask source only reads files, the Fashion-MNIST
// source only reads its in-memory copy.
class ImageSource {
 public:
  virtual ~ImageSource() = default;

  // mask: decodes files under root on demand. fashion_mnist: reads all
  // training images into memory once, here.
  static absl::StatusOr<std::unique_ptr<ImageSource>> Open(DatasetKind kind, const std::string& root);

  // 8-bit 3-channel RGB image of exactly width x height, resized with
  // cv::INTER_AREA when shrinking and cv::INTER_LINEAR when growing.
  virtual absl::StatusOr<cv::Mat> Load(const std::string& key, int width, int height) const = 0;
};

// The JPEG reduced-decoding factor (1, 2, 4 or 8) for a source image of
// source_width x source_height: the largest that still leaves it >= the target.
int ReducedDecodeFactor(int source_width, int source_height, int width, int height);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_IMAGE_SOURCE_H_
