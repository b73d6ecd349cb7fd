// What ensemble select reports about its candidates besides the ensemble: each member's single
// score, the best single trial and the best composite, and per-head (mask, gender, age) macro-F1 and
// accuracy of the ensemble, the best single trial and the best composite.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_ENSEMBLE_SCORES_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_ENSEMBLE_SCORES_H_

#include <vector>

#include "absl/status/status.h"
#include "coordinator/analysis/ensemble_selection.h"
#include "coordinator/analysis/metrics.h"
#include "coordinator/managers/candidate_library.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

// Members' single scores, library_size, composites, best_single_* and best_composite*.
void FillSingleScores(const CandidateLibrary& candidates, const std::vector<double>& single_scores,
                      analysis::Metric metric, foldstack::v1::SelectEnsembleResponse& response);

// The *_heads fields, after FillSingleScores; `probs` per candidate on the scored samples (18
// classes: the mask task), `labels` their 18-class labels.
absl::Status FillHeadScores(const std::vector<analysis::ProbMatrix>& probs, const std::vector<int>& labels,
                            const analysis::EnsembleResult& result, const CandidateLibrary& candidates,
                            foldstack::v1::SelectEnsembleResponse& response);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_ENSEMBLE_SCORES_H_
