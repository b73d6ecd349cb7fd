#include "data/fashion_mnist.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foldstack::data {

const std::vector<std::string>& FashionMnistClassNames() {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  return *names;
}

absl::StatusOr<DatasetIndex> LoadFashionMnistIndex(const std::string& root, int64_t max_samples) {
  absl::StatusOr<std::string> labels_path = FindIdxFile(root, kFashionLabelsFile);
  if (!labels_path.ok()) return labels_path.status();
  absl::StatusOr<std::string> images_path = FindIdxFile(root, kFashionImagesFile);
  if (!images_path.ok()) return images_path.status();
  absl::StatusOr<IdxArray> labels = ReadIdxFile(*labels_path, kIdxLabelsMagic);
  if (!labels.ok()) return labels.status();
  absl::StatusOr<IdxArray> images = ReadIdxFile(*images_path, kIdxImagesMagic, /*header_only=*/true);
  if (!images.ok()) return images.status();
  if (images->dims[0] != labels->dims[0]) {
    return absl::InvalidArgumentError(absl::StrCat(*images_path, ": ", images->dims[0], " images but ",
                                                   *labels_path, " has ", labels->dims[0],
                                                   " labels; expected the same count"));
  }

  DatasetIndex index;
  index.kind = DatasetKind::kFashionMnist;
  index.root = root;
  index.num_classes = kFashionNumClasses;
  index.class_names = FashionMnistClassNames();
  int64_t n = labels->dims[0];
  if (max_samples > 0 && max_samples < n) n = max_samples;
  index.samples.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    int label = labels->data[i];
    if (label >= kFashionNumClasses) {
      return absl::InvalidArgumentError(
          absl::StrCat(*labels_path, ": label ", label, " at index ", i, ", expected 0..", kFashionNumClasses - 1));
    }
    std::string key = absl::StrCat("train/", i);
    index.samples.push_back({key, label, key});
  }
  return index;
}

absl::StatusOr<IdxArray> ReadFashionMnistImages(const std::string& root) {
  absl::StatusOr<std::string> path = FindIdxFile(root, kFashionImagesFile);
  if (!path.ok()) return path.status();
  return ReadIdxFile(*path, kIdxImagesMagic);
}

absl::StatusOr<int64_t> ParseFashionMnistKey(const std::string& key, int64_t count) {
  int64_t i;
  if (!absl::StartsWith(key, "train/") || !absl::SimpleAtoi(key.substr(6), &i) || i < 0 || i >= count) {
    return absl::InvalidArgumentError(
        absl::StrCat("fashion_mnist key \"", key, "\": expected train/<index> with index in 0..", count - 1));
  }
  return i;
}

}  // namespace foldstack::data
