#include "coordinator/managers/probs_json.h"

#include <charconv>

namespace foldstack::coordinator {

void FormatProbsJson(absl::Span<const float> probs, std::string* out) {
  // Shortest round-trip form of a float needs at most 15 characters ("-1.17549435e-38").
  constexpr size_t kMaxFloatChars = 16;
  out->resize(2 + probs.size() * (kMaxFloatChars + 1));
  char* begin = out->data();
  char* end = begin + out->size();
  char* p = begin;
  *p++ = '[';
  for (size_t i = 0; i < probs.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = std::to_chars(p, end, probs[i]).ptr;
  }
  *p++ = ']';
  out->resize(static_cast<size_t>(p - begin));
}

int ArgMax(absl::Span<const float> probs) {
  int best = 0;
  for (size_t i = 1; i < probs.size(); ++i) {
    if (probs[i] > probs[best]) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace foldstack::coordinator
