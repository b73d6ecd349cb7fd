#include "coordinator/store/probs_json.h"

#include <charconv>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

absl::StatusOr<std::vector<float>> ParseProbsJson(absl::string_view json) {
  absl::string_view body = json;
  if (!absl::ConsumePrefix(&body, "[") || !absl::ConsumeSuffix(&body, "]")) {
    return absl::InvalidArgumentError(absl::StrCat("probabilities: expected a JSON array, got ", json.substr(0, 40)));
  }
  std::vector<float> probs;
  if (body.empty()) return probs;
  for (absl::string_view item : absl::StrSplit(body, ',')) {
    float value = 0;
    if (!absl::SimpleAtof(item, &value)) {
      return absl::InvalidArgumentError(absl::StrCat("probabilities: \"", item, "\" is not a number"));
    }
    probs.push_back(value);
  }
  return probs;
}

int ArgMax(absl::Span<const float> probs) {
  int best = 0;
  for (size_t i = 1; i < probs.size(); ++i) {
    if (probs[i] > probs[best]) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace foldstack::coordinator
