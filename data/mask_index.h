// Indexing the mask competition layout:
//   root/train/train.csv            header id,gender,race,age,path
//   root/train/images/<path>/{mask1..mask5,incorrect_mask,normal}.{jpg,jpeg,png}
#ifndef FOLDSTACK_DATA_MASK_INDEX_H_
#define FOLDSTACK_DATA_MASK_INDEX_H_

#include <string>

#include "absl/status/statusor.h"
#include "data/dataset.h"

namespace foldstack::data {

constexpr char kMaskCsvPath[] = "train/train.csv";
constexpr char kMaskImagesDir[] = "train/images";
constexpr char kMaskCsvHeader[] = "id,gender,race,age,path";

// Samples in csv row order, then the 7 photos in kMaskPhotoNames order.
absl::StatusOr<DatasetIndex> LoadMaskIndex(const std::string& root);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_MASK_INDEX_H_
