#ifndef FOLDSTACK_WORKER_TRAINER_METRICS_H_
#define FOLDSTACK_WORKER_TRAINER_METRICS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::trainer {

// A num_classes x num_classes confusion matrix: rows are true labels, columns
// are predicted labels.
//
// Macro-F1 convention (same as scikit-learn's f1_score(average="macro") when
// `labels` is not given): per-class F1 = 2*TP / (2*TP + FP + FN), averaged over
// the classes that occur in the truth OR in the predictions. A class absent from
// both is excluded rather than counted as 0 (or 1), so a held-out fold that
// happens to lack a rare class is not penalised for it.
class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int num_classes);

  // Builds the matrix from parallel label vectors; refuses labels outside
  // [0, num_classes) and vectors of different lengths.
  static absl::StatusOr<ConfusionMatrix> FromLabels(const std::vector<int>& truth,
                                                    const std::vector<int>& predicted,
                                                    int num_classes);

  // Requires 0 <= truth, predicted < num_classes (checked by FromLabels).
  void Add(int truth, int predicted);

  int num_classes() const { return num_classes_; }
  int64_t count(int truth, int predicted) const;
  int64_t total() const { return total_; }

  // Fraction of samples on the diagonal; 0 when empty.
  double Accuracy() const;
  // F1 of one class; 0 when the class has no true and no predicted samples.
  double ClassF1(int cls) const;
  // See the class comment for which classes are averaged; 0 when empty.
  double MacroF1() const;

 private:
  int num_classes_;
  int64_t total_ = 0;
  std::vector<int64_t> cells_;  // row-major [truth][predicted]
};

// Convenience wrappers over ConfusionMatrix::FromLabels.
absl::StatusOr<double> MacroF1(const std::vector<int>& truth, const std::vector<int>& predicted,
                               int num_classes);
absl::StatusOr<double> Accuracy(const std::vector<int>& truth, const std::vector<int>& predicted,
                                int num_classes);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_METRICS_H_
