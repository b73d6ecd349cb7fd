// A photo decoded through the trainer's loader (ImageSource::Load of the mask layout): JPEG and
// PNG, at a reduced size as training asks for, then resized.
#include "data/image_source.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  static const auto* source = [] {
    auto opened = foldstack::data::ImageSource::Open(foldstack::data::DatasetKind::kMask, foldstack::fuzz::ScratchDir());
    if (!opened.ok()) std::abort();
    return opened->release();
  }();
  foldstack::fuzz::WriteFileOrDie(foldstack::fuzz::ScratchDir() + "/photo.jpg",
                                  std::string_view(reinterpret_cast<const char*>(data), size));
  foldstack::fuzz::CheckAnswer(source->Load("photo.jpg", 48, 64).status(), "photo.jpg");
  return 0;
}
