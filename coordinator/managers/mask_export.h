// The corrected train.csv of the mask competition layout, and the file moves that would make the
// image folders agree with it. A person's gender and age live in train.csv (and, by convention,
// in the folder name <id>_<gender>_<race>_<age>); a photo's mask state lives in its file name
// (mask1..mask5, incorrect_mask, normal). Nothing is moved on disk: the moves are a list.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_MASK_EXPORT_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_MASK_EXPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/label_store.h"

namespace foldstack::coordinator {

struct MaskExport {
  std::string csv;  // train.csv with corrected gender/age/path, rows in the original order
  // (old path, new path) relative to the dataset root, per photo. A swap (incorrect_mask <->
  // normal) is two moves that need a temporary name when carried out.
  std::vector<std::pair<std::string, std::string>> moves;
  int changed_people = 0;  // rows whose gender, age or folder changed
};

// `train_csv` is the dataset's train/train.csv as it is on disk; `samples` its stored samples
// with their labels at the exported version. A corrected age outside the file's age bin becomes
// the bin's nearest age to the old one (29, 30, 59 or 60). Fails with one line naming the row or
// person when the file no longer matches the stored original labels, when a person's photos
// disagree on gender/age, or when the corrected mask states are not 5 worn, 1 incorrect, 1 not
// worn among a person's 7 photos.
absl::StatusOr<MaskExport> ExportMaskTrainCsv(const std::string& train_csv,
                                              const std::vector<LabelledSample>& samples);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_MASK_EXPORT_H_
