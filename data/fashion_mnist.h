// Fashion-MNIST from its IDX files (plain or .gz), e.g. Debian's
// dataset-fashion-mnist in /usr/share/datasets/fashion-mnist.
#ifndef FOLDSTACK_DATA_FASHION_MNIST_H_
#define FOLDSTACK_DATA_FASHION_MNIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "data/idx_file.h"

namespace foldstack::data {

constexpr char kFashionImagesFile[] = "train-images-idx3-ubyte";
constexpr char kFashionLabelsFile[] = "train-labels-idx1-ubyte";
constexpr int kFashionNumClasses = 10;

const std::vector<std::string>& FashionMnistClassNames();

// Keys "train/<index>", each sample its own group. Reads the labels and only
// the images' header (to check the counts agree). max_samples > 0 keeps the first N.
absl::StatusOr<DatasetIndex> LoadFashionMnistIndex(const std::string& root, int64_t max_samples = 0);

// All training images, dims {N, rows, cols}.
absl::StatusOr<IdxArray> ReadFashionMnistImages(const std::string& root);

// The index in a "train/<index>" key, or an error naming the key.
absl::StatusOr<int64_t> ParseFashionMnistKey(const std::string& key, int64_t count);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_FASHION_MNIST_H_
