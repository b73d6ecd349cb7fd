#include "data/image_source.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/one_line.h"
#include "data/fashion_mnist.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace foldstack::data {
namespace {

absl::Status CheckSize(int width, int height) {
  if (width > 0 && height > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("image size ", width, "x", height, ", expected positive"));
}

int BigEndian16(const std::vector<uchar>& bytes, size_t at) { return (bytes[at] << 8) | bytes[at + 1]; }

struct JpegFrame {
  cv::Size size;
  size_t end = 0;  // offset just past the frame header
};

// Width x height from a JPEG's frame header (SOFn), walking the marker
// segments before the first scan; nullopt when `bytes` is not such a JPEG.
// Needed to choose the reduction before decoding anything.
std::optional<JpegFrame> FindJpegFrame(const std::vector<uchar>& bytes) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return std::nullopt;
  size_t pos = 2;
  while (pos + 4 <= bytes.size()) {
    if (bytes[pos] != 0xFF) return std::nullopt;
    while (pos < bytes.size() && bytes[pos] == 0xFF) ++pos;  // fill bytes
    if (pos + 3 > bytes.size()) return std::nullopt;
    const uchar marker = bytes[pos++];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no payload
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;         // end / scan before a frame
    const int length = BigEndian16(bytes, pos);
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (pos + 7 > bytes.size()) return std::nullopt;
      return JpegFrame{cv::Size(BigEndian16(bytes, pos + 5), BigEndian16(bytes, pos + 3)), pos + length};
    }
    pos += length;
  }
  return std::nullopt;
}

// libjpeg decodes a file cut short without an error (the rest comes out
// grey), so truncation is caught here: the end-of-image marker must follow the
// frame (entropy-coded data never holds FF D9; byte stuffing prevents it).
// Searched from the end, where a whole file has it, so the scan usually stops at once.
bool HasEndOfImage(const std::vector<uchar>& bytes, size_t from) {
  for (size_t i = bytes.size(); i > from + 1; --i) {
    if (bytes[i - 2] == 0xFF && bytes[i - 1] == 0xD9) return true;
  }
  return false;
}

constexpr unsigned char kPngSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

uint32_t BigEndian32(const std::vector<uchar>& bytes, size_t at) {
  return (uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) | (uint32_t{bytes[at + 2]} << 8) | bytes[at + 3];
}

// Checked before anything is decoded: only the loader's formats (mask_index lists .jpg, .jpeg and
// .png) reach OpenCV, and no picture past kMaxImagePixels, which OpenCV would allocate whole
// (its own limit is a gigapixel) for a header of a few bytes.
absl::Status CheckBeforeDecode(const std::vector<uchar>& bytes, const std::optional<JpegFrame>& jpeg) {
  int64_t width = 0, height = 0;
  if (jpeg) {
    width = jpeg->size.width;
    height = jpeg->size.height;
  } else if (bytes.size() >= 24 && std::equal(std::begin(kPngSignature), std::end(kPngSignature), bytes.begin()) &&
             std::equal(bytes.begin() + 12, bytes.begin() + 16, "IHDR")) {
    width = BigEndian32(bytes, 16);
    height = BigEndian32(bytes, 20);
  } else if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    return absl::DataLossError("JPEG without a frame header before its first scan");
  } else {
    return absl::DataLossError("not a JPEG or PNG file");
  }
  // Each bound first: two 32-bit PNG sizes overflow a 64-bit product (found by libFuzzer + UBSan).
  if (width <= 0 || height <= 0 || width > kMaxImagePixels || height > kMaxImagePixels ||
      width * height > kMaxImagePixels) {
    return absl::DataLossError(absl::StrCat("size ", width, "x", height, ", expected 1 to ",
                                                   kMaxImagePixels / 1000000, " megapixels"));
  }
  return absl::OkStatus();
}

int ReducedReadFlag(int factor) {
  switch (factor) {
    case 8: return cv::IMREAD_REDUCED_COLOR_8;
    case 4: return cv::IMREAD_REDUCED_COLOR_4;
    case 2: return cv::IMREAD_REDUCED_COLOR_2;
    default: return cv::IMREAD_COLOR;
  }
}

class MaskImageSource : public ImageSource {
 public:
  explicit MaskImageSource(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<DecodedImage> Decode(const std::string& key, const DecodeTarget& target) const override {
    std::error_code ec;
    std::string path = std::filesystem::absolute(std::filesystem::path(root_) / key, ec).string();
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return absl::NotFoundError(
          absl::StrCat("cannot read image ", path, ": ", std::error_code(errno, std::generic_category()).message()));
    }
    // One read into a buffer of the file's size (not a byte-by-byte copy with regrowth).
    file.seekg(0, std::ios::end);
    std::vector<uchar> bytes(static_cast<size_t>(std::max<std::streamoff>(file.tellg(), 0)));
    file.seekg(0, std::ios::beg);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
      return absl::DataLossError(absl::StrCat("cannot read image ", path));
    }
    std::optional<JpegFrame> jpeg = FindJpegFrame(bytes);
    if (absl::Status s = CheckBeforeDecode(bytes, jpeg); !s.ok()) {
      return absl::DataLossError(absl::StrCat("cannot decode image ", path, ": ", s.message()));
    }
    if (jpeg && !HasEndOfImage(bytes, jpeg->end)) {
      return absl::DataLossError(absl::StrCat("cannot decode image ", path, ": JPEG data ends early (truncated file?)"));
    }
    const int factor = jpeg ? ReducedDecodeFactor(jpeg->size.width, jpeg->size.height, target) : 1;
    DecodedImage decoded;
    try {
      decoded.rgb = cv::imdecode(bytes, ReducedReadFlag(factor));
      // In place (BGR to RGB is a per-pixel swap): one image buffer, not two.
      if (!decoded.rgb.empty()) cv::cvtColor(decoded.rgb, decoded.rgb, cv::COLOR_BGR2RGB);
    } catch (const cv::Exception& e) {
      // OpenCV's message ends in a line break.
      return absl::DataLossError(
          absl::StrCat("cannot decode image ", path, ": ", absl::StripAsciiWhitespace(common::Printable(e.what(), 500))));
    }
    if (decoded.rgb.empty()) return absl::DataLossError(absl::StrCat("cannot decode image ", path));
    if (jpeg) {
      // EXIF orientation may have turned the picture a quarter: compare like with like.
      const cv::Mat& rgb = decoded.rgb;
      const cv::Size& full = jpeg->size;
      const bool turned = (rgb.cols > rgb.rows) != (full.width > full.height);
      decoded.scale = static_cast<double>(rgb.cols) / (turned ? full.height : full.width);
    }
    return decoded;
  }

 private:
  std::string root_;
};

class FashionMnistImageSource : public ImageSource {
 public:
  explicit FashionMnistImageSource(IdxArray images) : images_(std::move(images)) {}

  absl::StatusOr<DecodedImage> Decode(const std::string& key, const DecodeTarget&) const override {
    absl::StatusOr<int64_t> i = ParseFashionMnistKey(key, images_.dims[0]);
    if (!i.ok()) return i.status();
    const int rows = images_.dims[1], cols = images_.dims[2];
    // A read-only view into the shared buffer; cvtColor copies.
    cv::Mat gray(rows, cols, CV_8UC1, const_cast<uint8_t*>(images_.data.data() + *i * rows * cols));
    DecodedImage decoded;
    cv::cvtColor(gray, decoded.rgb, cv::COLOR_GRAY2RGB);
    return decoded;
  }

 private:
  IdxArray images_;
};

}  // namespace

absl::StatusOr<cv::Mat> ImageSource::Load(const std::string& key, int width, int height) const {
  if (auto s = CheckSize(width, height); !s.ok()) return s;
  absl::StatusOr<DecodedImage> decoded = Decode(key, {.min_width = width, .min_height = height});
  if (!decoded.ok()) return decoded.status();
  return ResizeRgb(decoded->rgb, width, height);
}

cv::Mat ResizeRgb(const cv::Mat& image, int width, int height) {
  if (image.cols == width && image.rows == height) return image;
  bool shrinking = width <= image.cols && height <= image.rows;
  cv::Mat out;
  cv::resize(image, out, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

int ReducedDecodeFactor(int source_width, int source_height, const DecodeTarget& target) {
  for (int factor : {8, 4, 2}) {
    // libjpeg rounds scaled dimensions up.
    const int width = (source_width + factor - 1) / factor, height = (source_height + factor - 1) / factor;
    if (width >= target.min_width && height >= target.min_height && 1.0 / factor >= target.min_scale) {
      return factor;
    }
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
