#include "coordinator/analysis/fold_voting.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace foldstack::analysis {

absl::StatusOr<FoldVotingResult> FoldVote(const std::vector<ProbMatrix>& trials, const std::vector<int>& labels,
                                          const FoldVotingOptions& options) {
  // AverageTrials checks that the trials share one shape and sums probabilities.
  absl::StatusOr<ProbMatrix> mean = AverageTrials(trials);
  if (!mean.ok()) return mean.status();
  if (auto s = CheckLabels(*mean, labels); !s.ok()) return s;
  if (options.min_votes < 0) {
    return absl::InvalidArgumentError(absl::StrCat("min_votes = ", options.min_votes, ", expected >= 0"));
  }
  const int n = mean->num_samples, k = mean->num_classes;
  std::vector<int> votes(static_cast<size_t>(n) * k, 0);
  FoldVotingResult r;
  r.voters.assign(n, 0);
  for (const ProbMatrix& trial : trials) {
    for (int i = 0; i < n; ++i) {
      const float* row = trial.row(i);
      if (std::all_of(row, row + k, [](float v) { return v == 0; })) continue;  // no prediction
      ++votes[static_cast<size_t>(i) * k + ArgMax(row, k)];
      ++r.voters[i];
    }
  }
  r.disagreeing.resize(n);
  r.quality.resize(n);
  for (int i = 0; i < n; ++i) {
    const int* v = &votes[static_cast<size_t>(i) * k];
    r.disagreeing[i] = r.voters[i] - v[labels[i]];
    r.quality[i] = r.voters[i] == 0 ? 1.0f : static_cast<float>(v[labels[i]]) / r.voters[i];
    const int needed = options.min_votes > 0 ? options.min_votes : r.voters[i] / 2 + 1;
    if (r.voters[i] == 0 || r.disagreeing[i] < needed) continue;
    // The mean over all trials equals the mean over voters times trials / voters.
    const float to_voter_mean = static_cast<float>(trials.size()) / r.voters[i];
    int suggested = -1;
    for (int c = 0; c < k; ++c) {
      if (c == labels[i] || v[c] == 0) continue;
      if (suggested < 0 || v[c] > v[suggested] || (v[c] == v[suggested] && mean->at(i, c) > mean->at(i, suggested))) {
        suggested = c;
      }
    }
    LabelIssue issue;
    issue.sample = i;
    issue.given_label = labels[i];
    issue.suggested_label = suggested;
    issue.quality = r.quality[i];
    issue.p_given = mean->at(i, labels[i]) * to_voter_mean;
    issue.p_suggested = mean->at(i, suggested) * to_voter_mean;
    issue.disagreeing_votes = r.disagreeing[i];
    issue.voters = r.voters[i];
    r.issues.push_back(issue);
  }
  std::stable_sort(r.issues.begin(), r.issues.end(), [](const LabelIssue& a, const LabelIssue& b) {
    return a.quality != b.quality ? a.quality < b.quality : a.p_given < b.p_given;
  });
  return r;
}

}  // namespace foldstack::analysis
