// The inner loop of greedy ensemble selection (used by ensemble_selection.h):
// a running sum of the ensemble's probabilities over a fixed set of rows, and
// the loss each candidate would give if added once more. Inputs are trusted
// (checked by the caller).
//
// Speed: adding candidate c changes row r's argmax only if the gap between the
// running sum's top two classes is below 1 (a probability row adds at most 1 to
// any class). Rows with a larger gap are "locked" for the whole round and are
// counted once; only the rest are scanned per candidate. Log loss reads one
// contiguous column per candidate (its true-class probabilities) and sums logs
// as logs of products of 16, so it takes few logarithms.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_

#include <vector>

#include "coordinator/analysis/metrics.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis::internal {

class SelectionEngine {
 public:
  // `rows`: the samples selection looks at (indices into the library's rows).
  SelectionEngine(const std::vector<ProbMatrix>& library, const std::vector<int>& labels, std::vector<int> rows,
                  Metric metric);

  // Empties the ensemble.
  void Reset();
  void Add(int member);
  int size() const { return members_; }
  // losses[i] = loss (lower is better: -macro F1, or log loss) of the ensemble
  // with candidates[i] added once more. Allocates nothing after the first call.
  void Evaluate(const std::vector<int>& candidates, std::vector<double>* losses);

 private:
  void EvaluateF1(const std::vector<int>& candidates, std::vector<double>* losses);
  void EvaluateLogLoss(const std::vector<int>& candidates, std::vector<double>* losses);
  const std::vector<float>& TrueColumn(int member);

  const std::vector<ProbMatrix>& library_;
  const int k_;
  const Metric metric_;
  std::vector<int> rows_;
  std::vector<int> row_labels_;
  std::vector<int> actual_;       // per class: rows labelled with it
  std::vector<float> sum_;        // rows x k: running sum of members' probabilities
  std::vector<float> sum_true_;   // rows: running sum of the true-class column
  int members_ = 0;
  std::vector<std::vector<float>> true_columns_;  // per library member, filled on first use
  // Scratch, reused across calls.
  std::vector<int> unlocked_, base_tp_, base_pred_, tp_, pred_;
};

}  // namespace foldstack::analysis::internal

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_
