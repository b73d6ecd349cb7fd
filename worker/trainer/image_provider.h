#ifndef FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_
#define FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "data/image_source.h"

namespace foldstack::trainer {

// Where the trainer gets pixels from, by sample key. Kept small so the loop can
// be tested with in-memory images; production uses OpenImageSourceProvider
// (image_source_provider.h) over data::ImageSource.
class ImageProvider {
 public:
  virtual ~ImageProvider() = default;

  // The image as decoded (8-bit RGB, CV_8UC3), at a JPEG reduction `target`
  // allows, not resized. Must be thread-safe: the input pipeline decodes on
  // several threads. Errors name the key/file.
  virtual absl::StatusOr<data::DecodedImage> Decode(const std::string& key,
                                                    const data::DecodeTarget& target) const = 0;
};

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_IMAGE_PROVIDER_H_
