// One line of the job events protocol, as the agent reads a training program's output.
#include "common/job_events.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  foldstack::fuzz::SetCurrentInput(data, size);
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  foldstack::fuzz::CheckAnswer(foldstack::common::ParseJobEvent(line).status());
  return 0;
}
