// Out-of-fold (OOF) probabilities: the common currency of label cleaning and
// ensemble selection. Every held-out sample of a trial has one row of class
// probabilities, predicted by the fold model that did not train on it.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_OOF_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_OOF_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace foldstack::analysis {

// num_samples x num_classes probabilities, row-major. A row of all zeros means
// "no prediction for this sample" (e.g. its fold failed); methods that count
// voters skip such rows.
struct ProbMatrix {
  int num_samples = 0;
  int num_classes = 0;
  std::vector<float> values;

  const float* row(int sample) const { return values.data() + static_cast<size_t>(sample) * num_classes; }
  float at(int sample, int cls) const { return row(sample)[cls]; }
};

// One sample whose given label looks wrong (confident learning, fold voting).
struct LabelIssue {
  int sample = 0;
  int given_label = 0;
  int suggested_label = 0;
  float quality = 0;      // label-quality score: lower = more suspicious
  float p_given = 0;      // probability of the given class
  float p_suggested = 0;  // probability of the suggested class
  int disagreeing_votes = 0;  // fold voting only: trials whose argmax != given
  int voters = 0;             // fold voting only: trials with a prediction
};

// OK when values.size() == num_samples * num_classes and both are sane.
// `what` names the matrix in the message, e.g. "trial 3".
absl::Status CheckProbMatrix(const ProbMatrix& m, const std::string& what = "probabilities");

// OK when there is at least one trial and all pass CheckProbMatrix with trial 0's shape.
absl::Status CheckSameShape(const std::vector<ProbMatrix>& trials);

// OK when labels has one entry per sample, each in [0, num_classes).
absl::Status CheckLabels(const ProbMatrix& m, const std::vector<int>& labels);

// Index of the largest entry of `row` (the lowest index on ties).
int ArgMax(const float* row, int num_classes);

// The element-wise mean of trials of one shape: the combined probabilities that
// detection runs on. Error when there are no trials or shapes differ.
absl::StatusOr<ProbMatrix> AverageTrials(const std::vector<ProbMatrix>& trials);

// sum_t weights[t] * trials[t] / sum_t weights[t]; weights >= 0, not all zero.
absl::StatusOr<ProbMatrix> WeightedAverage(const std::vector<ProbMatrix>& trials,
                                           const std::vector<double>& weights);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_OOF_H_
