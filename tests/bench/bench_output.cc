#include "tests/bench/bench_output.h"

#include <iostream>

#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"

namespace foldstack::bench {

int FailJson(const std::string& message) {
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += (c == '\n') ? ' ' : c;
  }
  std::cout << absl::StrFormat("{\"side\": \"foldstack\", \"error\": \"%s\"}", escaped) << std::endl;
  return 1;
}

int ParseFlagsAndRun(int argc, char** argv, absl::Status (*run)()) {
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = run();
  return status.ok() ? 0 : FailJson(status.ToString());
}

}  // namespace foldstack::bench
