// The suite's fuzz driver (no libFuzzer, any compiler): every file of the target's checked-in
// corpus, then N deterministic mutations of them (bit flips, truncation, splicing, inserted and
// overwritten bytes; fixed seed), each through LLVMFuzzerTestOneInput.
//   <target>_test CORPUS_DIR [MUTATIONS]     (MUTATIONS 0 replays the folder's inputs only)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/splitmix64.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using foldstack::common::SplitMix64Next;

std::vector<std::string> ReadCorpus(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> corpus;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return corpus;
}

// Bytes parsers treat specially: line and field ends, quotes, brackets, the top bit, extremes.
constexpr char kSpecial[] = {'\n', '\r', ',', '"', '\'', '{', '}', '[', ']', ':', '-', ' ', '\t', '\\',
                             '\0', '\x7f', '\x80', '\xff', '\xc3', '\xed', '0', '9', '!', '&', '*', '#'};

std::string Mutate(const std::vector<std::string>& corpus, uint64_t& rng) {
  auto next = [&](uint64_t bound) { return bound == 0 ? 0 : SplitMix64Next(rng) % bound; };
  std::string input = corpus[next(corpus.size())];
  const int steps = 1 + static_cast<int>(next(4));
  for (int step = 0; step < steps; ++step) {
    const size_t at = next(input.size() + 1);
    switch (next(6)) {
      case 0:  // bit flip
        if (!input.empty()) input[std::min(at, input.size() - 1)] ^= static_cast<char>(1u << next(8));
        break;
      case 1:  // truncation
        input.resize(at);
        break;
      case 2: {  // splice: our head, another input's tail
        const std::string& other = corpus[next(corpus.size())];
        input = input.substr(0, at) + other.substr(next(other.size() + 1));
        break;
      }
      case 3:  // a special byte inserted
        input.insert(at, 1, kSpecial[next(sizeof(kSpecial))]);
        break;
      case 4:  // a random byte overwritten, or a run of one byte (lengths, sizes, nesting)
        if (next(2) == 0 && !input.empty()) {
          input[std::min(at, input.size() - 1)] = static_cast<char>(next(256));
        } else {
          input.insert(at, 1 + next(64), next(2) ? '\xff' : kSpecial[next(sizeof(kSpecial))]);
        }
        break;
      default: {  // a chunk duplicated
        const size_t length = next(std::min<size_t>(input.size() - std::min(at, input.size()), 256) + 1);
        input.insert(at, input.substr(at, length));
        break;
      }
    }
  }
  return input;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  const std::vector<std::string> corpus = ReadCorpus(argv[1]);
  if (corpus.empty()) {
    std::fprintf(stderr, "%s: empty corpus\n", argv[1]);
    return 1;
  }
  const long mutations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 3000;
  for (const std::string& input : corpus) Run(input);
  uint64_t rng = 14;  // issue 14: the same inputs every run
  for (long i = 0; i < mutations; ++i) Run(Mutate(corpus, rng));
  const int64_t accepted = foldstack::fuzz::AcceptedCount(), refused = foldstack::fuzz::RefusedCount();
  std::printf("%zu corpus files + %ld mutations: %lld accepted, %lld refused in one line\n", corpus.size(),
              mutations, static_cast<long long>(accepted), static_cast<long long>(refused));
  // Both outcomes must occur, else the corpus or the mutations test nothing (a replay of a few
  // inputs, MUTATIONS 0, checks only the contract).
  if (mutations > 0 && (accepted == 0 || refused == 0)) {
    std::fprintf(stderr, "expected some inputs accepted and some refused\n");
    return 1;
  }
  return 0;
}
