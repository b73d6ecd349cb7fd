#include "coordinator/managers/mask_export.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "coordinator/managers/label_names.h"
#include "data/mask_index.h"
#include "data/mask_labels.h"

namespace foldstack::coordinator {
namespace {

constexpr int kPersonClasses = 6;  // gender x age bin
const char* const kGenders[] = {"male", "female"};

struct Photo {
  const LabelledSample* sample;
  std::string stem;  // "mask3"
  std::string ext;   // ".jpg"
  int old_state;
  int new_state;
};

int StateOfStem(const std::string& stem) {
  for (int i = 0; i < data::kPhotosPerPerson; ++i) {
    if (stem == data::kMaskPhotoNames[i]) return data::MaskStateOfPhoto(i);
  }
  return -1;
}

// The file stem each photo gets: photos whose state changed take the name of their new state;
// one turning "worn" takes a maskN name that a photo leaving "worn" gave up.
absl::StatusOr<std::vector<std::string>> NewStems(const std::string& person,
                                                  const std::vector<Photo>& photos) {
  std::set<std::string> freed_worn;
  for (const Photo& p : photos) {
    if (p.old_state == data::kMaskWear && p.new_state != data::kMaskWear) freed_worn.insert(p.stem);
  }
  std::vector<std::string> stems;
  std::set<std::string> taken;
  for (const Photo& p : photos) {
    std::string stem = p.stem;
    if (p.new_state == data::kMaskIncorrect && p.old_state != p.new_state) stem = "incorrect_mask";
    if (p.new_state == data::kMaskNotWorn && p.old_state != p.new_state) stem = "normal";
    if (p.new_state == data::kMaskWear && p.old_state != p.new_state) {
      stem.clear();
      if (!freed_worn.empty()) stem = freed_worn.extract(freed_worn.begin()).value();
    }
    if (stem.empty() || !taken.insert(stem).second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "person ", person, ": the corrected mask states give two photos the name \"",
          stem.empty() ? "mask*" : stem,
          "\"; a person needs 5 worn, 1 incorrect and 1 not-worn photo, so decide the pair"));
    }
    stems.push_back(stem);
  }
  return stems;
}

int32_t ClampAgeToBin(int32_t age, int32_t bin) {
  if (bin == 0) return std::min(age, 29);
  if (bin == 1) return std::clamp(age, 30, 59);
  return std::max(age, 60);
}

}  // namespace

absl::StatusOr<MaskExport> ExportMaskTrainCsv(const std::string& train_csv,
                                              const std::vector<LabelledSample>& samples) {
  std::map<std::string, std::vector<const LabelledSample*>> by_person;
  for (const LabelledSample& s : samples) by_person[s.group].push_back(&s);

  MaskExport out;
  int row = 0;
  for (absl::string_view line : absl::StrSplit(train_csv, '\n')) {
    ++row;
    line = absl::StripSuffix(line, "\r");
    const std::string where = absl::StrCat(data::kMaskCsvPath, ": row ", row, ": ");
    if (row == 1) {
      if (line != data::kMaskCsvHeader) {
        return absl::FailedPreconditionError(absl::StrCat(where, "bad header \"", line, "\""));
      }
      absl::StrAppend(&out.csv, line, "\n");
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    int32_t age = 0;
    const int gender = cols.size() == 5 && cols[1] == "female" ? 1 : 0;
    if (cols.size() != 5 || (cols[1] != "male" && cols[1] != "female") ||
        !absl::SimpleAtoi(cols[3], &age)) {
      return absl::FailedPreconditionError(absl::StrCat(where, "expected ", data::kMaskCsvHeader));
    }
    const std::string& path = cols[4];
    auto person = by_person.find(path);
    if (person == by_person.end()) {  // not in the stored dataset (max_samples): unchanged
      absl::StrAppend(&out.csv, line, "\n");
      continue;
    }
    const int32_t in_file = data::MaskClass(0, gender, data::AgeBin(age));
    std::vector<Photo> photos;
    int32_t corrected = -1;
    for (const LabelledSample* s : person->second) {
      const std::string file = s->key.substr(s->key.rfind('/') + 1);
      const size_t dot = file.rfind('.');
      Photo photo{s, file.substr(0, dot), dot == std::string::npos ? "" : file.substr(dot),
                  s->original_label / kPersonClasses, s->label / kPersonClasses};
      if (s->original_label % kPersonClasses != in_file || StateOfStem(photo.stem) != photo.old_state) {
        return absl::FailedPreconditionError(absl::StrCat(
            where, "(path ", path, "): ", s->key, " was stored as ",
            data::MaskClassNames()[s->original_label], " but the files say otherwise; ",
            data::kMaskCsvPath, " changed since the dataset was stored"));
      }
      if (corrected >= 0 && s->label % kPersonClasses != corrected) {
        return absl::FailedPreconditionError(absl::StrCat(
            "person ", path, ": photos disagree on gender/age (", PersonLabelName(corrected),
            " vs ", PersonLabelName(s->label), "); decide the person as a whole"));
      }
      corrected = s->label % kPersonClasses;
      photos.push_back(photo);
    }
    const int new_gender = corrected / 3;
    const int32_t new_age = ClampAgeToBin(age, corrected % 3);
    std::string new_path = path;
    std::vector<std::string> parts = absl::StrSplit(path, '_');
    if (parts.size() == 4 && parts[1] == cols[1] && parts[3] == cols[3]) {
      new_path = absl::StrJoin({parts[0], std::string(kGenders[new_gender]), parts[2],
                                absl::StrCat(new_age)}, "_");
    }
    if (new_gender != gender || new_age != age || new_path != path) ++out.changed_people;
    absl::StrAppend(&out.csv, cols[0], ",", kGenders[new_gender], ",", cols[2], ",", new_age, ",",
                    new_path, "\n");
    absl::StatusOr<std::vector<std::string>> stems = NewStems(path, photos);
    if (!stems.ok()) return stems.status();
    for (size_t i = 0; i < photos.size(); ++i) {
      std::string to = absl::StrCat(data::kMaskImagesDir, "/", new_path, "/", (*stems)[i], photos[i].ext);
      if (to != photos[i].sample->key) out.moves.emplace_back(photos[i].sample->key, std::move(to));
    }
  }
  return out;
}

}  // namespace foldstack::coordinator
