#include "tests/bench/bench_output.h"

#include <iostream>

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

}  // namespace foldstack::bench
