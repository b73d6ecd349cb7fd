// The sweep file parser (YAML -> JSON -> SweepSpec), as `foldstack sweep submit` reads a file.
#include "coordinator/sweep/sweep_spec.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  foldstack::fuzz::CheckAnswer(foldstack::sweep::ParseSweepYaml("sweep.yaml", text).status(), "sweep.yaml");
  return 0;
}
