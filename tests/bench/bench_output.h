// What the benchmark binaries print: one JSON line per run, which the
// tests/bench/run_*.sh runners collect into a table.
#ifndef FOLDSTACK_TESTS_BENCH_BENCH_OUTPUT_H_
#define FOLDSTACK_TESTS_BENCH_BENCH_OUTPUT_H_

#include <string>

#include "absl/status/status.h"

namespace foldstack::bench {

// Prints {"side": "foldstack", "error": message} as one line, so the runner can
// show why this side has no figure; returns 1, the exit status.
int FailJson(const std::string& message);

// main() for a benchmark whose work is `run`: parses the flags, runs, and on an error prints
// FailJson's line; returns the exit status.
int ParseFlagsAndRun(int argc, char** argv, absl::Status (*run)());

}  // namespace foldstack::bench

#endif  // FOLDSTACK_TESTS_BENCH_BENCH_OUTPUT_H_
