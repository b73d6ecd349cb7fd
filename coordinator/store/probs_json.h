// Class probabilities as JSON array text, e.g. "[0.01,0.93,0.06]": the form predictions.probs and
// eval_probs.probs were stored in up to schema 10 (read once by migration 11), and the form the
// views of the same names show analysts.
#ifndef FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_
#define FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::coordinator {

// "[0.1,0.9]" -> {0.1, 0.9}. INVALID_ARGUMENT on anything else.
absl::StatusOr<std::vector<float>> ParseProbsJson(absl::string_view json);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_PROBS_JSON_H_
