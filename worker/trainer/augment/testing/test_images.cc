#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment::testing {

cv::Mat GradientImage(int rows, int cols) {
  cv::Mat image(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 255 / std::max(1, cols - 1)),
                                            static_cast<uchar>(y * 255 / std::max(1, rows - 1)),
                                            ((x / 8 + y / 8) % 2) ? 200 : 40);
    }
  }
  return image;
}

cv::Mat ConstantImage(int rows, int cols, cv::Vec3b rgb) { return cv::Mat(rows, cols, CV_8UC3, cv::Scalar(rgb[0], rgb[1], rgb[2])); }

bool SameBytes(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  return cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace foldstack::augment::testing
