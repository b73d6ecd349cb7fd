#include "worker/trainer/image_source_provider.h"

#include "absl/strings/str_cat.h"
#include "data/dataset.h"
#include "data/image_source.h"

namespace foldstack::trainer {
namespace {

class ImageSourceProvider : public ImageProvider {
 public:
  explicit ImageSourceProvider(std::unique_ptr<data::ImageSource> source) : source_(std::move(source)) {}

  absl::StatusOr<data::DecodedImage> Decode(const std::string& key,
                                            const data::DecodeTarget& target) const override {
    absl::StatusOr<data::DecodedImage> image = source_->Decode(key, target);
    if (!image.ok() && image.status().message().find(key) == std::string::npos) {
      return absl::Status(image.status().code(), absl::StrCat(key, ": ", image.status().message()));
    }
    return image;
  }

 private:
  std::unique_ptr<data::ImageSource> source_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ImageProvider>> OpenImageSourceProvider(const std::string& kind,
                                                                       const std::string& root) {
  absl::StatusOr<data::DatasetKind> parsed = data::ParseDatasetKind(kind);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::unique_ptr<data::ImageSource>> source = data::ImageSource::Open(*parsed, root);
  if (!source.ok()) return source.status();
  return std::make_unique<ImageSourceProvider>(*std::move(source));
}

}  // namespace foldstack::trainer
