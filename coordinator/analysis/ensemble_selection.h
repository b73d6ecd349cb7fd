// Ensembles of trials from their OOF probabilities: Caruana et al. 2004
// ("Ensemble Selection from Libraries of Models") greedy forward selection with
// replacement, sorted initialisation and optional bagging of the library; plain
// soft voting of the top K; and a nested estimate that is honest about selection.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_ENSEMBLE_SELECTION_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_ENSEMBLE_SELECTION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/analysis/metrics.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

enum class EnsembleMethod { kGreedy, kVoteTopK };

struct EnsembleOptions {
  EnsembleMethod method = EnsembleMethod::kGreedy;
  Metric metric = Metric::kMacroF1;
  // Greedy: ensemble slots counted with multiplicity, the initial ones included;
  // rounds of greedy addition = max_members - init_size.
  int max_members = 50;
  // Greedy: start from the init_size best single members (clamped to the library size).
  int init_size = 5;
  // Greedy: bags > 0 repeats selection on `bags` random subsets of
  // bag_fraction of the library (seeded) and averages the bags' weights.
  int bags = 0;
  double bag_fraction = 0.5;
  uint64_t seed = 0;
  // kVoteTopK: equal weights for the top_k best single members.
  int top_k = 5;
};

struct SelectionStep {
  int bag = 0;      // 0 without bagging
  int step = 0;     // 1-based position in the bag's ensemble
  int member = 0;   // library index added
  bool init = false;  // part of the sorted initialisation
  double score = 0;   // metric of the ensemble after this addition
};

struct EnsembleResult {
  std::vector<double> weights;        // per library member, summing to 1
  double score = 0;                   // metric of the weighted ensemble on the samples
  std::vector<double> single_scores;  // metric of each library member alone
  std::vector<SelectionStep> trace;
};

// library: the trials' OOF probabilities (rows are probabilities: each in
// [0, 1]; the pruning in the engine relies on it), one shape; labels: one per
// sample. A greedy bag runs every round and keeps the prefix of its additions
// (at least the initial members) with the best score, as in the paper.
absl::StatusOr<EnsembleResult> SelectEnsemble(const std::vector<ProbMatrix>& library,
                                              const std::vector<int>& labels, const EnsembleOptions& options);

// Shorthand for method kVoteTopK.
absl::StatusOr<EnsembleResult> SoftVoteTopK(const std::vector<ProbMatrix>& library, const std::vector<int>& labels,
                                            int k, Metric metric);

struct NestedScoreResult {
  std::vector<int> folds;                 // the distinct fold ids, ascending
  std::vector<double> fold_scores;        // selected without fold f, scored on fold f
  std::vector<double> in_sample_scores;   // the same ensembles scored where they were selected
  double pooled_score = 0;  // every sample predicted by the ensemble selected without its fold
};

// folds[i]: the sample's fold (>= 0; at least two distinct). For each fold f,
// selects with `options` on the other folds' samples and scores on fold f's.
absl::StatusOr<NestedScoreResult> NestedScore(const std::vector<ProbMatrix>& library,
                                              const std::vector<int>& labels, const std::vector<int>& folds,
                                              const EnsembleOptions& options);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_ENSEMBLE_SELECTION_H_
