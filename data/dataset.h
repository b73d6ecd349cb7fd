// Dataset indexing: which samples exist, their labels and fold groups.
// Pixels are loaded separately (see image_source.h).
#ifndef FOLDSTACK_DATA_DATASET_H_
#define FOLDSTACK_DATA_DATASET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "data/mask_labels.h"  // AgeBin, MaskClass, MaskClassNames

namespace foldstack::data {

enum class DatasetKind { kMask, kFashionMnist };

// "mask" | "fashion_mnist".
absl::StatusOr<DatasetKind> ParseDatasetKind(std::string_view name);
std::string DatasetKindName(DatasetKind kind);

struct Sample {
  // mask: image path relative to root, e.g. "train/images/000001_female_Asian_45/mask1.jpg";
  // fashion_mnist: "train/<index>".
  std::string key;
  int label = 0;  // class index
  // Fold grouping unit: mask -> the person's folder name; fashion_mnist -> the key.
  std::string group;
};

struct LoadOptions {
  int64_t max_samples = 0;  // 0 = all; otherwise the first N samples
};

struct DatasetIndex {
  DatasetKind kind;
  std::string root;
  int num_classes = 0;
  std::vector<std::string> class_names;
  std::vector<Sample> samples;
};

// Validates the layout under `root` and lists its samples in a deterministic order.
absl::StatusOr<DatasetIndex> LoadDatasetIndex(DatasetKind kind, const std::string& root,
                                              const LoadOptions& options = {});

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_DATASET_H_
