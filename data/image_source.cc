#include "data/image_source.h"

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "data/fashion_mnist.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace foldstack::data {
namespace {

// The competition's photos are all 384x512; the reduction is chosen for that
// size and undone (full decode) if a file turns out smaller.
constexpr int kNominalMaskWidth = 384;
constexpr int kNominalMaskHeight = 512;

cv::Mat ResizeTo(const cv::Mat& image, int width, int height) {
  if (image.cols == width && image.rows == height) return image;
  bool shrinking = width <= image.cols && height <= image.rows;
  cv::Mat out;
  cv::resize(image, out, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

absl::Status CheckSize(int width, int height) {
  if (width > 0 && height > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("image size ", width, "x", height, ", expected positive"));
}

class MaskImageSource : public ImageSource {
 public:
  explicit MaskImageSource(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<cv::Mat> Load(const std::string& key, int width, int height) const override {
    if (auto s = CheckSize(width, height); !s.ok()) return s;
    std::error_code ec;
    std::string path = std::filesystem::absolute(std::filesystem::path(root_) / key, ec).string();
    int factor = ReducedDecodeFactor(kNominalMaskWidth, kNominalMaskHeight, width, height);
    cv::Mat bgr;
    try {
      bgr = cv::imread(path, FlagFor(factor));
      if (!bgr.empty() && factor > 1 && (bgr.cols < width || bgr.rows < height)) {
        bgr = cv::imread(path, cv::IMREAD_COLOR);  // smaller than nominal: decode in full
      }
    } catch (const cv::Exception& e) {
      return absl::DataLossError(absl::StrCat("cannot decode image ", path, ": ", e.what()));
    }
    if (bgr.empty()) return absl::DataLossError(absl::StrCat("cannot decode image ", path));
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return ResizeTo(rgb, width, height);
  }

 private:
  static int FlagFor(int factor) {
    switch (factor) {
      case 8: return cv::IMREAD_REDUCED_COLOR_8;
      case 4: return cv::IMREAD_REDUCED_COLOR_4;
      case 2: return cv::IMREAD_REDUCED_COLOR_2;
      default: return cv::IMREAD_COLOR;
    }
  }

  std::string root_;
};

class FashionMnistImageSource : public ImageSource {
 public:
  explicit FashionMnistImageSource(IdxArray images) : images_(std::move(images)) {}

  absl::StatusOr<cv::Mat> Load(const std::string& key, int width, int height) const override {
    if (auto s = CheckSize(width, height); !s.ok()) return s;
    absl::StatusOr<int64_t> i = ParseFashionMnistKey(key, images_.dims[0]);
    if (!i.ok()) return i.status();
    const int rows = images_.dims[1], cols = images_.dims[2];
    // A read-only view into the shared buffer; cvtColor copies.
    cv::Mat gray(rows, cols, CV_8UC1, const_cast<uint8_t*>(images_.data.data() + *i * rows * cols));
    cv::Mat rgb;
    cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
    return ResizeTo(rgb, width, height);
  }

 private:
  IdxArray images_;
};

}  // namespace

int ReducedDecodeFactor(int source_width, int source_height, int width, int height) {
  for (int factor : {8, 4, 2}) {
    if (source_width / factor >= width && source_height / factor >= height) return factor;
  }
  return 1;
}

absl::StatusOr<std::unique_ptr<ImageSource>> ImageSource::Open(DatasetKind kind, const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return absl::NotFoundError(absl::StrCat("dataset root ", root, ": no such directory"));
  }
  if (kind == DatasetKind::kMask) return std::unique_ptr<ImageSource>(new MaskImageSource(root));
  absl::StatusOr<IdxArray> images = ReadFashionMnistImages(root);
  if (!images.ok()) return images.status();
  return std::unique_ptr<ImageSource>(new FashionMnistImageSource(std::move(*images)));
}

}  // namespace foldstack::data
