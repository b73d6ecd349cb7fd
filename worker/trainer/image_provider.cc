#include "worker/trainer/image_provider.h"

namespace foldstack::trainer {

absl::StatusOr<cv::Mat> ImageProvider::Load(const std::string& key, int size) const {
  absl::StatusOr<data::DecodedImage> decoded = Decode(key, {.min_width = size, .min_height = size});
  if (!decoded.ok()) return decoded.status();
  return data::ResizeRgb(decoded->rgb, size, size);
}

}  // namespace foldstack::trainer
