// eval/info.csv of the competition's eval layout, read by LoadEvalSet against a real folder
// holding a few photos (empty files: the reader only checks they exist).
#include "data/eval_set.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

const std::string& EvalRoot() {
  static const std::string* root = [] {
    auto* made = new std::string(foldstack::fuzz::ScratchDir() + "/eval_root");
    for (const char* image : {"a.jpg", "b.jpg", "c.png", "d.jpg", "cbc5c6e168e63498590db46022617123f1fe1268.jpg"}) {
      foldstack::fuzz::WriteFileOrDie(*made + "/eval/images/" + image, "");
    }
    return made;
  }();
  return *root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string& root = EvalRoot();
  foldstack::fuzz::WriteFileOrDie(root + "/eval/info.csv", std::string_view(reinterpret_cast<const char*>(data), size));
  foldstack::fuzz::CheckAnswer(foldstack::data::LoadEvalSet(root).status(), "info.csv");
  return 0;
}
