#include "worker/trainer/metrics.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace foldstack::trainer {

ConfusionMatrix::ConfusionMatrix(int num_classes)
    : num_classes_(num_classes > 0 ? num_classes : 0),
      cells_(static_cast<size_t>(num_classes_) * num_classes_, 0) {}

absl::StatusOr<ConfusionMatrix> ConfusionMatrix::FromLabels(const std::vector<int>& truth,
                                                            const std::vector<int>& predicted,
                                                            int num_classes) {
  if (num_classes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("num_classes must be positive, got ", num_classes));
  }
  if (truth.size() != predicted.size()) {
    return absl::InvalidArgumentError(absl::StrCat("metrics: ", truth.size(), " true labels but ",
                                                   predicted.size(), " predictions"));
  }
  ConfusionMatrix matrix(num_classes);
  for (size_t i = 0; i < truth.size(); ++i) {
    for (int label : {truth[i], predicted[i]}) {
      if (label < 0 || label >= num_classes) {
        return absl::InvalidArgumentError(absl::StrCat("metrics: label ", label, " at index ", i,
                                                       " is outside [0, ", num_classes, ")"));
      }
    }
    matrix.Add(truth[i], predicted[i]);
  }
  return matrix;
}

void ConfusionMatrix::Add(int truth, int predicted) {
  ++cells_[static_cast<size_t>(truth) * num_classes_ + predicted];
  ++total_;
}

int64_t ConfusionMatrix::count(int truth, int predicted) const {
  return cells_[static_cast<size_t>(truth) * num_classes_ + predicted];
}

double ConfusionMatrix::Accuracy() const {
  if (total_ == 0) return 0.0;
  int64_t correct = 0;
  for (int c = 0; c < num_classes_; ++c) correct += count(c, c);
  return static_cast<double>(correct) / static_cast<double>(total_);
}

double ConfusionMatrix::ClassF1(int cls) const {
  int64_t true_positive = count(cls, cls);
  int64_t row = 0;     // samples whose truth is cls
  int64_t column = 0;  // samples predicted as cls
  for (int other = 0; other < num_classes_; ++other) {
    row += count(cls, other);
    column += count(other, cls);
  }
  const int64_t denominator = row + column;  // == 2TP + FN + FP
  if (denominator == 0) return 0.0;
  return 2.0 * static_cast<double>(true_positive) / static_cast<double>(denominator);
}

double ConfusionMatrix::MacroF1() const {
  double sum = 0.0;
  int present = 0;
  for (int c = 0; c < num_classes_; ++c) {
    bool occurs = false;
    for (int other = 0; other < num_classes_ && !occurs; ++other) {
      occurs = count(c, other) > 0 || count(other, c) > 0;
    }
    if (!occurs) continue;
    sum += ClassF1(c);
    ++present;
  }
  return present == 0 ? 0.0 : sum / present;
}

absl::StatusOr<double> MacroF1(const std::vector<int>& truth, const std::vector<int>& predicted,
                               int num_classes) {
  absl::StatusOr<ConfusionMatrix> matrix = ConfusionMatrix::FromLabels(truth, predicted, num_classes);
  if (!matrix.ok()) return matrix.status();
  return matrix->MacroF1();
}

absl::StatusOr<double> Accuracy(const std::vector<int>& truth, const std::vector<int>& predicted,
                                int num_classes) {
  absl::StatusOr<ConfusionMatrix> matrix = ConfusionMatrix::FromLabels(truth, predicted, num_classes);
  if (!matrix.ok()) return matrix.status();
  return matrix->Accuracy();
}

}  // namespace foldstack::trainer
