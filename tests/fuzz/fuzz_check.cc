#include "tests/fuzz/fuzz_check.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/one_line.h"

namespace foldstack::fuzz {
namespace {

std::string_view current_input;
int64_t accepted = 0;
int64_t refused = 0;

// Under libFuzzer the counts are the only sign of how many inputs were refused; printed at exit
// when FOLDSTACK_FUZZ_STATS is set (tests/bench/run_fuzz_bench.sh reads the line).
void PrintCounts() {
  if (std::getenv("FOLDSTACK_FUZZ_STATS") != nullptr) {
    std::fprintf(stderr, "fuzz answers: %lld accepted, %lld refused, every refusal one line\n",
                 static_cast<long long>(accepted), static_cast<long long>(refused));
  }
}

void RemoveScratch() {
  std::error_code ec;
  std::filesystem::remove_all(ScratchDir(), ec);
}

}  // namespace

void SetCurrentInput(const uint8_t* data, size_t size) {
  current_input = std::string_view(reinterpret_cast<const char*>(data), size);
}

void CheckAnswer(const absl::Status& status, std::string_view names) {
  static const bool registered = std::atexit(PrintCounts) == 0;
  (void)registered;
  if (status.ok()) {
    ++accepted;
    return;
  }
  ++refused;
  const std::string_view message(status.message().data(), status.message().size());
  absl::Status one_line = common::OneLine(message);
  if (one_line.ok() && message.find(names) == std::string_view::npos) {
    one_line = absl::InvalidArgumentError("does not name " + std::string(names));
  }
  if (one_line.ok()) return;
  std::fprintf(stderr, "refusal is not one line (%s):\n%s\ninput (%zu bytes): %s\n",
               std::string(one_line.message()).c_str(), common::Printable(status.ToString(), 4000).c_str(),
               current_input.size(), common::Printable(current_input, 4000).c_str());
  std::abort();
}

int64_t AcceptedCount() { return accepted; }
int64_t RefusedCount() { return refused; }

const std::string& ScratchDir() {
  static const std::string* dir = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/foldstack_fuzz_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    auto* made = new std::string(pattern);
    std::atexit(RemoveScratch);
    return made;
  }();
  return *dir;
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
}

}  // namespace foldstack::fuzz
