#include "worker/trainer/testing/pattern_images.h"

#include <algorithm>
#include <functional>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace foldstack::trainer::testing {

absl::StatusOr<data::DecodedImage> PatternImageProvider::Decode(const std::string& key,
                                                                const data::DecodeTarget& target) const {
  std::vector<std::string> parts = absl::StrSplit(key, '/');
  int label = 0;
  if (parts.size() != 3 || parts[0] != "pattern" || !absl::SimpleAtoi(parts[1], &label) || label < 0 ||
      label >= kPatternClasses) {
    return absl::NotFoundError(absl::StrCat("no pattern image for key \"", key, "\""));
  }
  std::mt19937 rng(static_cast<uint32_t>(std::hash<std::string>()(key)));
  std::uniform_int_distribution<int> noise(-40, 40);
  const bool red = (label & 1) == 0;
  const bool top_bright = (label & 2) == 0;
  const int asked = std::max(target.min_width, target.min_height);
  const int size = asked > 0 ? asked : kPatternDefaultSize;
  cv::Mat image(size, size, CV_8UC3);
  for (int y = 0; y < size; ++y) {
    const bool bright = (y < size / 2) == top_bright;
    for (int x = 0; x < size; ++x) {
      const int strong = bright ? 200 : 110;
      const int weak = bright ? 90 : 40;
      cv::Vec3b& pixel = image.at<cv::Vec3b>(y, x);
      pixel[0] = static_cast<uint8_t>(std::clamp((red ? strong : weak) + noise(rng), 0, 255));
      pixel[1] = static_cast<uint8_t>(std::clamp((red ? weak : strong) + noise(rng), 0, 255));
      pixel[2] = static_cast<uint8_t>(std::clamp(60 + noise(rng), 0, 255));
    }
  }
  return data::DecodedImage{image, 1.0};
}

std::vector<JobSample> PatternSamples(int per_class, int folds) {
  std::vector<JobSample> samples;
  for (int n = 0; n < per_class; ++n) {
    for (int label = 0; label < kPatternClasses; ++label) {
      JobSample sample;
      sample.id = static_cast<int64_t>(samples.size()) + 1;
      sample.key = absl::StrCat("pattern/", label, "/", n);
      sample.label = label;
      sample.fold = n % folds;
      samples.push_back(sample);
    }
  }
  return samples;
}

}  // namespace foldstack::trainer::testing
