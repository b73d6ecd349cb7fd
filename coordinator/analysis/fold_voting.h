// Fold voting, the method of the team that found 69 wrong labels in the mask
// data: every trial's OOF prediction of a sample comes from the fold model that
// did not train on it, so each trial casts one unbiased vote (its argmax); a
// sample is flagged when enough votes disagree with its given label.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_FOLD_VOTING_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_FOLD_VOTING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

struct FoldVotingOptions {
  // Flag a sample when at least this many voters disagree; 0 = a strict
  // majority of the sample's voters.
  int min_votes = 0;
};

struct FoldVotingResult {
  std::vector<int> voters;       // per sample: trials with a prediction (a non-zero row)
  std::vector<int> disagreeing;  // per sample: voters whose argmax != the given label
  // Per sample: share of voters agreeing with the given label (1 with no voters);
  // lower = more suspicious.
  std::vector<float> quality;
  // Flagged samples, ranked by quality ascending, then p_given ascending.
  // suggested_label: plurality of the disagreeing votes (ties: larger summed
  // probability, then lower class); p_given / p_suggested: means over voters.
  std::vector<LabelIssue> issues;
};

absl::StatusOr<FoldVotingResult> FoldVote(const std::vector<ProbMatrix>& trials, const std::vector<int>& labels,
                                          const FoldVotingOptions& options);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_FOLD_VOTING_H_
