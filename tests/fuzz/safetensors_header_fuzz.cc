// A safetensors file's header (length, JSON, offsets checked against the data section), as
// LoadSafetensors reads pretrained weights and checkpoints before making any tensor.
#include "worker/trainer/safetensors_header.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto header = foldstack::trainer::ParseSafetensorsHeader("model.safetensors", bytes);
  foldstack::fuzz::CheckAnswer(header.status(), "model.safetensors");
  return 0;
}
