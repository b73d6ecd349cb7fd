#include "worker/trainer/augment/chw_writer.h"

#include <cstdint>

namespace foldstack::augment {

void WriteChw(const cv::Mat& rgb, const AugmentConfig& config, bool mirror, float* out) {
  CV_Assert(rgb.type() == CV_8UC3);
  float table[3][256];
  for (int c = 0; c < 3; ++c) {
    const float mean = config.normalize ? config.mean[c] : 0.0f;
    const float inv_std = config.normalize ? 1.0f / config.std[c] : 1.0f;
    for (int v = 0; v < 256; ++v) table[c][v] = (static_cast<float>(v) / 255.0f - mean) * inv_std;
  }
  const int rows = rgb.rows, cols = rgb.cols;
  const size_t plane = static_cast<size_t>(rows) * cols;
  for (int y = 0; y < rows; ++y) {
    const uint8_t* pixel = rgb.ptr<uint8_t>(y);
    float* r = out + static_cast<size_t>(y) * cols;
    float* g = r + plane;
    float* b = g + plane;
    for (int x = 0; x < cols; ++x) {
      const uint8_t* p = pixel + 3 * (mirror ? cols - 1 - x : x);
      r[x] = table[0][p[0]];
      g[x] = table[1][p[1]];
      b[x] = table[2][p[2]];
    }
  }
}

}  // namespace foldstack::augment
