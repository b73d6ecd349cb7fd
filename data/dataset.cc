#include "data/dataset.h"

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "data/fashion_mnist.h"
#include "data/mask_index.h"

namespace foldstack::data {

absl::StatusOr<DatasetKind> ParseDatasetKind(std::string_view name) {
  if (name == "mask") return DatasetKind::kMask;
  if (name == "fashion_mnist") return DatasetKind::kFashionMnist;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown dataset kind \"", std::string(name), "\", expected \"mask\" or \"fashion_mnist\""));
}

std::string DatasetKindName(DatasetKind kind) {
  return kind == DatasetKind::kMask ? "mask" : "fashion_mnist";
}

absl::StatusOr<DatasetIndex> LoadDatasetIndex(DatasetKind kind, const std::string& root,
                                              const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return absl::NotFoundError(absl::StrCat("dataset root ", root, ": no such directory"));
  }
  absl::StatusOr<DatasetIndex> index =
      kind == DatasetKind::kMask ? LoadMaskIndex(root) : LoadFashionMnistIndex(root, options.max_samples);
  if (index.ok() && options.max_samples > 0 && static_cast<int64_t>(index->samples.size()) > options.max_samples) {
    index->samples.resize(options.max_samples);
  }
  return index;
}

}  // namespace foldstack::data
