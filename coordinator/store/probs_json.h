// Class probabilities as JSON array text, e.g. "[0.01,0.93,0.06]": the form predictions.probs is
// stored in, so analysts can json_extract() it. Floats are written shortest-round-trip.
#ifndef FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_
#define FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace foldstack::coordinator {

// Replaces `out` with the JSON array of `probs` (reusing its capacity). Every value must be
// finite (JSON has no NaN/Inf); callers validate first.
void FormatProbsJson(absl::Span<const float> probs, std::string* out);

// The inverse of FormatProbsJson: "[0.1,0.9]" -> {0.1, 0.9}. INVALID_ARGUMENT on anything else.
absl::StatusOr<std::vector<float>> ParseProbsJson(absl::string_view json);

// Index of the largest value (the first one on ties); 0 for an empty span.
int ArgMax(absl::Span<const float> probs);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_
