// Scores of probabilities against labels: macro F1 (maximise) and log loss (minimise).
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_METRICS_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_METRICS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

enum class Metric { kMacroF1, kLogLoss };

// "macro_f1" / "log_loss".
const char* MetricName(Metric metric);
absl::StatusOr<Metric> ParseMetric(absl::string_view name);
// True when larger is better (macro F1).
bool Maximize(Metric metric);

// Probabilities below this are clipped before the logarithm.
constexpr float kLogLossEpsilon = 1e-7f;

// sklearn's convention: predicted class = argmax (lowest on ties); F1 averaged
// over the classes present in the labels or the predictions.
absl::StatusOr<double> MacroF1(const ProbMatrix& probs, const std::vector<int>& labels);
// Mean -log p[label], rows taken as given (not renormalised).
absl::StatusOr<double> LogLoss(const ProbMatrix& probs, const std::vector<int>& labels);
absl::StatusOr<double> Score(Metric metric, const ProbMatrix& probs, const std::vector<int>& labels);

// Macro F1 from per-class counts of true positives, predictions and labels.
double MacroF1FromCounts(const int* true_positives, const int* predicted, const int* actual, int num_classes);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_METRICS_H_
