// Loading sample pixels for the trainer.
#ifndef FOLDSTACK_DATA_IMAGE_SOURCE_H_
#define FOLDSTACK_DATA_IMAGE_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "opencv2/core.hpp"

namespace foldstack::data {

// The largest picture decoded (a 36-megapixel camera's); larger ones are refused before decoding.
constexpr int64_t kMaxImagePixels = 36'000'000;

// How small a decode may be: JPEGs are decoded at the largest reduction
// (1/2, 1/4, 1/8) that keeps all three bounds; other formats at full size.
struct DecodeTarget {
  int min_width = 0;
  int min_height = 0;
  double min_scale = 0;  // decoded width / the file's full width
};

struct DecodedImage {
  cv::Mat rgb;         // CV_8UC3, RGB order
  double scale = 1.0;  // decoded width / the file's full width
};

// Decode() and Load() are thread-safe: the mask source only reads files, the
// Fashion-MNIST source only reads its in-memory copy.
class ImageSource {
 public:
  virtual ~ImageSource() = default;

  // mask: decodes files under root on demand. fashion_mnist: reads all
  // training images into memory once, here.
  static absl::StatusOr<std::unique_ptr<ImageSource>> Open(DatasetKind kind, const std::string& root);

  // The image at reduced scale as `target` allows, never resized. Errors name
  // the file (mask) or the key (fashion_mnist: its 28x28 image, scale 1).
  virtual absl::StatusOr<DecodedImage> Decode(const std::string& key, const DecodeTarget& target) const = 0;

  // 8-bit 3-channel RGB image of exactly width x height: Decode() with that
  // size as the minimum, then ResizeRgb().
  absl::StatusOr<cv::Mat> Load(const std::string& key, int width, int height) const;
};

// `image` at exactly width x height: cv::INTER_AREA when shrinking,
// cv::INTER_LINEAR when growing; `image` itself when it already fits.
cv::Mat ResizeRgb(const cv::Mat& image, int width, int height);

// The JPEG reduced-decoding factor (1, 2, 4 or 8) for a source image of
// source_width x source_height: the largest whose result keeps every bound of `target`.
int ReducedDecodeFactor(int source_width, int source_height, const DecodeTarget& target);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_IMAGE_SOURCE_H_
