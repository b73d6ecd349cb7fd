#include "coordinator/analysis/oof.h"

#include "absl/strings/str_cat.h"

namespace foldstack::analysis {

absl::Status CheckProbMatrix(const ProbMatrix& m, const std::string& what) {
  if (m.num_samples < 0 || m.num_classes < 1) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": shape ", m.num_samples, "x", m.num_classes,
                                                   ", expected at least one class"));
  }
  if (m.values.size() != static_cast<size_t>(m.num_samples) * m.num_classes) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", m.values.size(), " values, expected ",
                                                   m.num_samples, "x", m.num_classes));
  }
  return absl::OkStatus();
}

absl::Status CheckSameShape(const std::vector<ProbMatrix>& trials) {
  if (trials.empty()) return absl::InvalidArgumentError("trials: none given, expected at least one");
  for (size_t t = 0; t < trials.size(); ++t) {
    if (auto s = CheckProbMatrix(trials[t], absl::StrCat("trial ", t)); !s.ok()) return s;
    if (trials[t].num_samples != trials[0].num_samples || trials[t].num_classes != trials[0].num_classes) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", t, ": shape ", trials[t].num_samples, "x",
                                                     trials[t].num_classes, ", expected ", trials[0].num_samples,
                                                     "x", trials[0].num_classes, " like trial 0"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLabels(const ProbMatrix& m, const std::vector<int>& labels) {
  if (auto s = CheckProbMatrix(m); !s.ok()) return s;
  if (labels.size() != static_cast<size_t>(m.num_samples)) {
    return absl::InvalidArgumentError(
        absl::StrCat("labels: ", labels.size(), " labels, expected one per sample (", m.num_samples, ")"));
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= m.num_classes) {
      return absl::InvalidArgumentError(
          absl::StrCat("labels[", i, "] = ", labels[i], ", expected a class in [0, ", m.num_classes, ")"));
    }
  }
  return absl::OkStatus();
}

int ArgMax(const float* row, int num_classes) {
  int best = 0;
  for (int k = 1; k < num_classes; ++k) {
    if (row[k] > row[best]) best = k;
  }
  return best;
}

absl::StatusOr<ProbMatrix> WeightedAverage(const std::vector<ProbMatrix>& trials,
                                           const std::vector<double>& weights) {
  if (auto s = CheckSameShape(trials); !s.ok()) return s;
  if (weights.size() != trials.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights: ", weights.size(), " weights, expected one per trial (", trials.size(), ")"));
  }
  double total = 0;
  for (size_t t = 0; t < trials.size(); ++t) {
    if (!(weights[t] >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat("weights[", t, "] = ", weights[t], ", expected >= 0"));
    }
    total += weights[t];
  }
  if (total <= 0) return absl::InvalidArgumentError("weights: all zero, expected a positive sum");
  ProbMatrix out{trials[0].num_samples, trials[0].num_classes, std::vector<float>(trials[0].values.size(), 0.f)};
  for (size_t t = 0; t < trials.size(); ++t) {
    if (weights[t] == 0) continue;
    const float w = static_cast<float>(weights[t] / total);
    const float* src = trials[t].values.data();
    float* dst = out.values.data();
    for (size_t i = 0; i < out.values.size(); ++i) dst[i] += w * src[i];
  }
  return out;
}

absl::StatusOr<ProbMatrix> AverageTrials(const std::vector<ProbMatrix>& trials) {
  return WeightedAverage(trials, std::vector<double>(trials.size(), 1.0));
}

}  // namespace foldstack::analysis
