// What every fuzz target checks of a parser's answer, and the scratch files the path-based
// readers need. Shared by the suite's driver (g++) and libFuzzer (clang, --config=asan).
#ifndef FOLDSTACK_TESTS_FUZZ_FUZZ_CHECK_H_
#define FOLDSTACK_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace foldstack::fuzz {

// The contract: OK, or a refusal whose message is one line of valid UTF-8. Anything else prints
// the message and the input (escaped) and aborts, which both drivers report as a crash.
// With `names`, a refusal must also contain it (the file it is about).
void CheckAnswer(const absl::Status& status, std::string_view names = {});

// The input being run, for CheckAnswer's report; set by LLVMFuzzerTestOneInput's callers.
void SetCurrentInput(const uint8_t* data, size_t size);

// Answers seen so far: accepted and refused inputs.
int64_t AcceptedCount();
int64_t RefusedCount();

// A directory of this process's own, made once (removed at exit).
const std::string& ScratchDir();

// Writes `bytes` to `path` (parent directories made), replacing it; aborts when it cannot.
void WriteFileOrDie(const std::string& path, std::string_view bytes);

}  // namespace foldstack::fuzz

// Each target defines it; it calls fuzz::SetCurrentInput and then fuzz::CheckAnswer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // FOLDSTACK_TESTS_FUZZ_FUZZ_CHECK_H_
