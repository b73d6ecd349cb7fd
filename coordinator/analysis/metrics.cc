#include "coordinator/analysis/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace foldstack::analysis {

const char* MetricName(Metric metric) { return metric == Metric::kMacroF1 ? "macro_f1" : "log_loss"; }

absl::StatusOr<Metric> ParseMetric(absl::string_view name) {
  if (name == "macro_f1") return Metric::kMacroF1;
  if (name == "log_loss") return Metric::kLogLoss;
  return absl::InvalidArgumentError(absl::StrCat("metric \"", name, "\": expected macro_f1 or log_loss"));
}

bool Maximize(Metric metric) { return metric == Metric::kMacroF1; }

double MacroF1FromCounts(const int* true_positives, const int* predicted, const int* actual, int num_classes) {
  double sum = 0;
  int present = 0;
  for (int k = 0; k < num_classes; ++k) {
    int denominator = predicted[k] + actual[k];
    if (denominator == 0) continue;  // in neither labels nor predictions
    sum += 2.0 * true_positives[k] / denominator;
    ++present;
  }
  return present == 0 ? 0.0 : sum / present;
}

absl::StatusOr<double> MacroF1(const ProbMatrix& probs, const std::vector<int>& labels) {
  if (auto s = CheckLabels(probs, labels); !s.ok()) return s;
  const int k = probs.num_classes;
  std::vector<int> tp(k), predicted(k), actual(k);
  for (int i = 0; i < probs.num_samples; ++i) {
    int p = ArgMax(probs.row(i), k);
    ++predicted[p];
    ++actual[labels[i]];
    tp[p] += p == labels[i];
  }
  return MacroF1FromCounts(tp.data(), predicted.data(), actual.data(), k);
}

absl::StatusOr<double> LogLoss(const ProbMatrix& probs, const std::vector<int>& labels) {
  if (auto s = CheckLabels(probs, labels); !s.ok()) return s;
  if (probs.num_samples == 0) return 0.0;
  double sum = 0;
  for (int i = 0; i < probs.num_samples; ++i) sum -= std::log(std::max(probs.at(i, labels[i]), kLogLossEpsilon));
  return sum / probs.num_samples;
}

absl::StatusOr<double> Score(Metric metric, const ProbMatrix& probs, const std::vector<int>& labels) {
  return metric == Metric::kMacroF1 ? MacroF1(probs, labels) : LogLoss(probs, labels);
}

}  // namespace foldstack::analysis
