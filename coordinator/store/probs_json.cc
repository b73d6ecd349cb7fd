#include "coordinator/store/probs_json.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace foldstack::coordinator {

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

}  // namespace foldstack::coordinator
