// The bulk review file of `foldstack relabel apply FILE.csv`.
#include "cli/decisions_csv.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const std::string text(reinterpret_cast<const char*>(data), size);
  foldstack::fuzz::CheckAnswer(foldstack::cli::ParseDecisionsCsv("decisions.csv", text).status(), "decisions.csv");
  return 0;
}
