// The mask competition's 18 classes: mask state x gender x age bin.
#ifndef FOLDSTACK_DATA_MASK_LABELS_H_
#define FOLDSTACK_DATA_MASK_LABELS_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::data {

constexpr int kMaskNumClasses = 18;
constexpr int kPhotosPerPerson = 7;

// The photo files in each person's folder (without extension), in the order
// samples are listed. mask1..mask5 are worn masks.
constexpr std::array<const char*, kPhotosPerPerson> kMaskPhotoNames = {
    "mask1", "mask2", "mask3", "mask4", "mask5", "incorrect_mask", "normal"};

// Mask state: 0 = worn, 1 = incorrect, 2 = not worn.
constexpr int kMaskWear = 0, kMaskIncorrect = 1, kMaskNotWorn = 2;
// Mask state of the photo at `photo_index` in kMaskPhotoNames.
int MaskStateOfPhoto(int photo_index);

// Gender: 0 = male, 1 = female.
constexpr int kMale = 0, kFemale = 1;

// Age bin: <30 -> 0, 30..59 -> 1, >=60 -> 2.
int AgeBin(int age);

// Age bin with other bin starts (the age_bins setting; a team moved the old
// bin to 59): < middle_start -> 0, < old_start -> 1, else 2.
int AgeBin(int age, int middle_start, int old_start);

// The age in a mask sample key's person folder, "<id>_<gender>_<race>_<age>"
// (the competition's naming): "train/images/000001_female_Asian_45/mask1.jpg" -> 45.
absl::StatusOr<int> AgeFromMaskKey(std::string_view key);

// `label` with its age bin recomputed from `age` under other bin starts. A
// label whose age bin disagrees with AgeBin(age) under the default bins was
// changed by a reviewed label override, and is kept as it is.
int RebinMaskLabel(int label, int age, int middle_start, int old_start);

// Class index 6*mask + 3*gender + age_bin, in 0..17.
int MaskClass(int mask, int gender, int age_bin);

// "wear/male/<30", ..., "normal/female/>=60", indexed by class.
const std::vector<std::string>& MaskClassNames();

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_MASK_LABELS_H_
