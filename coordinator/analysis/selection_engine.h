// The inner loop of greedy ensemble selection (used by ensemble_selection.h):
// a running sum of the ensemble's probabilities over a fixed set of rows, and
// the loss each candidate would give if added once more. Inputs are trusted
// (checked by the caller).
//
// Speed (macro F1): with t the running sum's top class and g its lead over the
// runner-up, adding candidate row p keeps the prediction t unless p's own
// argmax differs from t and max(p) >= g (a class k gains at most p[k] - p[t]).
// So rows with g > 1 are decided for the whole round, and for the others a
// candidate is first judged from a compact per-row summary (its argmax class
// and top probability, 6 bytes instead of 4 x K); only rows it may flip are read
// in full. Exact: the same predictions as scanning every row.
// Log loss reads one contiguous column per candidate (its true-class
// probabilities) and sums logs as logs of products of 16.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_

#include <cstdint>
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
  void Summarize(int member);
  // Row r's prediction changes from class `from` to `to` in tp_ / pred_.
  void Move(int r, int from, int to);

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
  // Macro F1: per library member and row, its argmax class and top probability.
  std::vector<std::vector<uint16_t>> top_class_;
  std::vector<std::vector<float>> top_prob_;
  // Scratch, reused across calls: the undecided rows, their top class and lead.
  std::vector<int> unlocked_, unlocked_top_, may_flip_;
  std::vector<float> unlocked_gap_;
  std::vector<int> base_tp_, base_pred_, tp_, pred_;
};

}  // namespace foldstack::analysis::internal

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_SELECTION_ENGINE_H_
