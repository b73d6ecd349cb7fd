#ifndef FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_
#define FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_

#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

#include "absl/status/statusor.h"

namespace foldstack::trainer {

// Where the trainer gets pixels from, by sample key. Kept small so the loop can
// be tested with in-memory images; production uses OpenImageSourceProvider
// (image_source_provider.h) over data::ImageSource.
class ImageProvider {
 public:
  virtual ~ImageProvider() = default;
  // An 8-bit RGB image (CV_8UC3) of exactly size x size. Must be thread-safe:
  // the trainer decodes a batch on several threads. Errors name the key/file.
  virtual absl::StatusOr<cv::Mat> Load(const std::string& key, int size) const = 0;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_
