// Confident learning (Northcutt, Jiang & Chuang, "Confident Learning:
// Estimating Uncertainty in Dataset Labels", JAIR 2021), written from the paper:
// per-class thresholds, the confident joint, its calibration to the label
// counts, the estimated joint Q, and pruning by noise rate.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_CONFIDENT_LEARNING_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_CONFIDENT_LEARNING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

struct ConfidentLearningResult {
  int num_classes = 0;
  // t_j = mean p_j over the samples labelled j; +infinity for a class no sample
  // is labelled with (no sample can then be confidently that class).
  std::vector<float> thresholds;
  // K x K row-major, [given * K + true]: each sample counted at most once, into
  // the argmax class among those with p_j >= t_j (lowest class on ties).
  std::vector<int> confident_joint;
  // K x K: the confident joint calibrated to the label counts, normalised to sum 1.
  std::vector<double> joint;
  // Per sample: self-confidence p[given] (lower = more suspicious).
  std::vector<float> quality;
  // Pruned by noise rate, ranked by quality ascending (then sample index).
  // suggested_label: the class it was pruned towards (largest p among those).
  std::vector<LabelIssue> issues;
};

// probs: the combined OOF probabilities (see AverageTrials); labels: given
// labels. Rows of all zeros (no prediction) are skipped: they count towards
// nothing, get quality 1 and are never flagged.
absl::StatusOr<ConfidentLearningResult> ConfidentLearning(const ProbMatrix& probs, const std::vector<int>& labels);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_CONFIDENT_LEARNING_H_
