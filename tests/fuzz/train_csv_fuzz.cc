// train/train.csv of the mask layout, read by LoadDatasetIndex against a real folder tree that
// holds two people's photos (empty files: indexing does not decode them).
#include "data/dataset.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

const std::string& MaskRoot() {
  static const std::string* root = [] {
    auto* made = new std::string(foldstack::fuzz::ScratchDir() + "/mask");
    for (const char* person : {"000001_female_Asian_45", "000002_male_Asian_62"}) {
      for (const char* photo : {"mask1", "mask2", "mask3", "mask4", "mask5", "incorrect_mask", "normal"}) {
        foldstack::fuzz::WriteFileOrDie(*made + "/train/images/" + person + "/" + photo + ".jpg", "");
      }
    }
    return made;
  }();
  return *root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string& root = MaskRoot();
  foldstack::fuzz::WriteFileOrDie(root + "/train/train.csv",
                                  std::string_view(reinterpret_cast<const char*>(data), size));
  const auto index = foldstack::data::LoadDatasetIndex(foldstack::data::DatasetKind::kMask, root);
  foldstack::fuzz::CheckAnswer(index.status(), "train.csv");
  return 0;
}
