#include "data/mask_index.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/one_line.h"
#include "data/mask_labels.h"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

constexpr const char* kExtensions[] = {".jpg", ".jpeg", ".png"};

// The photo file per photo name in one person's folder; one directory listing
// instead of 21 stat calls. Files like "._mask1.jpg" (macOS metadata shipped
// with the real data) do not match a photo name and are ignored.
std::map<std::string, std::string> ListPhotos(const fs::path& folder) {
  std::map<std::string, std::pair<int, std::string>> found;  // stem -> (extension rank, file name)
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const fs::path& p = entry.path();
    for (int rank = 0; rank < 3; ++rank) {
      if (p.extension() != kExtensions[rank]) continue;
      // Deterministic choice when several extensions exist: .jpg, then .jpeg, then .png.
      auto [it, inserted] = found.emplace(p.stem().string(), std::make_pair(rank, p.filename().string()));
      if (!inserted && rank < it->second.first) it->second = {rank, p.filename().string()};
    }
  }
  std::map<std::string, std::string> result;
  for (auto& [stem, ranked] : found) result[stem] = std::move(ranked.second);
  return result;
}

}  // namespace

absl::StatusOr<DatasetIndex> LoadMaskIndex(const std::string& root) {
  const fs::path csv_path = fs::path(root) / kMaskCsvPath;
  std::ifstream csv(csv_path);
  if (!csv) return absl::NotFoundError(absl::StrCat("dataset root ", root, ": missing ", kMaskCsvPath));

  DatasetIndex index;
  index.kind = DatasetKind::kMask;
  index.root = root;
  index.num_classes = kMaskNumClasses;
  index.class_names = MaskClassNames();

  // Rows are numbered as in a spreadsheet: the header is row 1, the first person row 2.
  std::string line;
  int row = 0;
  std::set<std::string> seen_paths;
  while (std::getline(csv, line)) {
    ++row;
    absl::string_view text = absl::StripSuffix(line, "\r");
    if (row == 1) {
      if (text != kMaskCsvHeader) {
        return absl::InvalidArgumentError(absl::StrCat(kMaskCsvPath, ": row 1: bad header \"", common::Printable(std::string(text)),
                                                       "\", expected \"", kMaskCsvHeader, "\""));
      }
      continue;
    }
    if (text.empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(text, ',');
    if (cols.size() != 5) {
      return absl::InvalidArgumentError(
          absl::StrCat(kMaskCsvPath, ": row ", row, ": expected 5 columns (", kMaskCsvHeader, "), got ", cols.size()));
    }
    const std::string& path = cols[4];
    const std::string where = absl::StrCat(kMaskCsvPath, ": row ", row, " (path ", common::Printable(path), "): ");
    int gender;
    if (cols[1] == "male") {
      gender = kMale;
    } else if (cols[1] == "female") {
      gender = kFemale;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "gender \"", common::Printable(cols[1]), "\", expected \"male\" or \"female\""));
    }
    int age;
    if (!absl::SimpleAtoi(cols[3], &age) || age < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "age \"", common::Printable(cols[3]), "\", expected a non-negative integer"));
    }
    // The folder name becomes the photos' keys (protobuf strings, read by people): UTF-8, no controls.
    if (path.empty() || path.find('/') != std::string::npos || path == "." || path == ".." ||
        common::Printable(path, path.size()) != path) {
      return absl::InvalidArgumentError(absl::StrCat(where, "expected a folder name"));
    }
    if (!seen_paths.insert(path).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, "duplicate path, already listed in an earlier row"));
    }
    const std::string folder_rel = absl::StrCat(kMaskImagesDir, "/", path, "/");
    std::error_code ec;
    if (!fs::is_directory(fs::path(root) / folder_rel, ec)) {
      return absl::NotFoundError(absl::StrCat(where, "missing folder ", folder_rel));
    }
    std::map<std::string, std::string> photos = ListPhotos(fs::path(root) / folder_rel);
    for (int i = 0; i < kPhotosPerPerson; ++i) {
      auto it = photos.find(std::string(kMaskPhotoNames[i]));
      if (it == photos.end()) {
        return absl::NotFoundError(
            absl::StrCat(where, "missing photo ", kMaskPhotoNames[i], ".{jpg,jpeg,png} in ", folder_rel));
      }
      Sample sample;
      sample.key = folder_rel + it->second;
      sample.label = MaskClass(MaskStateOfPhoto(i), gender, AgeBin(age));
      sample.group = path;
      index.samples.push_back(std::move(sample));
    }
  }
  if (row == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kMaskCsvPath, ": empty file, expected header \"", kMaskCsvHeader, "\""));
  }
  return index;
}

}  // namespace foldstack::data
