// An IDX file (Fashion-MNIST's format), plain or gzip'd, read with the magic number it claims
// when that is the labels' or the images', else the images' (so the magic check runs too).
#include "data/idx_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string path = foldstack::fuzz::ScratchDir() + "/train-images-idx3-ubyte";
  foldstack::fuzz::WriteFileOrDie(path, std::string_view(reinterpret_cast<const char*>(data), size));
  const bool labels = size >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 8 && data[3] == 1;
  const uint32_t magic = labels ? foldstack::data::kIdxLabelsMagic : foldstack::data::kIdxImagesMagic;
  foldstack::fuzz::CheckAnswer(foldstack::data::ReadIdxFile(path, magic).status(), path);
  return 0;
}
