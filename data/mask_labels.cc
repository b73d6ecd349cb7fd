#include "data/mask_labels.h"

#include "absl/strings/str_cat.h"

namespace foldstack::data {

int MaskStateOfPhoto(int photo_index) {
  return photo_index < 5 ? kMaskWear : photo_index == 5 ? kMaskIncorrect : kMaskNotWorn;
}

int AgeBin(int age) { return age < 30 ? 0 : age < 60 ? 1 : 2; }

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
