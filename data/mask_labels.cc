#include "data/mask_labels.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace foldstack::data {

int MaskStateOfPhoto(int photo_index) {
  return photo_index < 5 ? kMaskWear : photo_index == 5 ? kMaskIncorrect : kMaskNotWorn;
}

int AgeBin(int age) { return AgeBin(age, 30, 60); }

int AgeBin(int age, int middle_start, int old_start) { return age < middle_start ? 0 : age < old_start ? 1 : 2; }

absl::StatusOr<int> AgeFromMaskKey(std::string_view key) {
  const std::vector<absl::string_view> parts = absl::StrSplit(absl::string_view(key.data(), key.size()), '/');
  int age = -1;
  if (parts.size() >= 2) {
    const absl::string_view folder = parts[parts.size() - 2];
    const size_t underscore = folder.rfind('_');
    if (underscore == absl::string_view::npos || !absl::SimpleAtoi(folder.substr(underscore + 1), &age)) age = -1;
  }
  if (age < 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read an age from the folder of \"", std::string(key),
                                                   "\" (expected <id>_<gender>_<race>_<age>/<photo>)"));
  }
  return age;
}

int RebinMaskLabel(int label, int age, int middle_start, int old_start) {
  const int given_bin = label % 3;
  if (given_bin != AgeBin(age)) return label;  // overridden by a review: keep it
  return label - given_bin + AgeBin(age, middle_start, old_start);
}

int MaskClass(int mask, int gender, int age_bin) { return 6 * mask + 3 * gender + age_bin; }

const std::vector<std::string>& MaskClassNames() {
  static const std::vector<std::string>* names = [] {
    auto* v = new std::vector<std::string>(kMaskNumClasses);
    const char* masks[] = {"wear", "incorrect", "normal"};
    const char* genders[] = {"male", "female"};
    const char* ages[] = {"<30", "30-59", ">=60"};
    for (int m = 0; m < 3; ++m)
      for (int g = 0; g < 2; ++g)
        for (int a = 0; a < 3; ++a) (*v)[MaskClass(m, g, a)] = absl::StrCat(masks[m], "/", genders[g], "/", ages[a]);
    return v;
  }();
  return *names;
}

}  // namespace foldstack::data
