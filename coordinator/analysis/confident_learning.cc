#include "coordinator/analysis/confident_learning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace foldstack::analysis {
namespace {

bool HasPrediction(const float* row, int k) {
  for (int j = 0; j < k; ++j) {
    if (row[j] != 0) return true;
  }
  return false;
}

// The class counted in the confident joint for `row`, or -1 when no class
// reaches its threshold.
int ConfidentClass(const float* row, const std::vector<float>& thresholds) {
  int best = -1;
  for (int j = 0; j < static_cast<int>(thresholds.size()); ++j) {
    if (row[j] >= thresholds[j] && (best < 0 || row[j] > row[best])) best = j;
  }
  return best;
}

}  // namespace

absl::StatusOr<ConfidentLearningResult> ConfidentLearning(const ProbMatrix& probs,
                                                          const std::vector<int>& labels) {
  if (auto s = CheckLabels(probs, labels); !s.ok()) return s;
  const int n = probs.num_samples, k = probs.num_classes;
  ConfidentLearningResult r;
  r.num_classes = k;
  r.quality.assign(n, 1.0f);
  std::vector<char> predicted(n);
  std::vector<std::vector<int>> by_label(k);  // samples with a prediction, per given label
  std::vector<double> self_sum(k, 0.0);
  for (int i = 0; i < n; ++i) {
    predicted[i] = HasPrediction(probs.row(i), k);
    if (!predicted[i]) continue;
    by_label[labels[i]].push_back(i);
    self_sum[labels[i]] += probs.at(i, labels[i]);
    r.quality[i] = probs.at(i, labels[i]);
  }
  r.thresholds.resize(k);
  for (int j = 0; j < k; ++j) {
    r.thresholds[j] = by_label[j].empty() ? std::numeric_limits<float>::infinity()
                                          : static_cast<float>(self_sum[j] / by_label[j].size());
  }

  r.confident_joint.assign(k * k, 0);
  for (int i = 0; i < n; ++i) {
    if (!predicted[i]) continue;
    int true_class = ConfidentClass(probs.row(i), r.thresholds);
    if (true_class >= 0) ++r.confident_joint[labels[i] * k + true_class];
  }

  // Calibrate each row to the number of samples given that label, then normalise.
  r.joint.assign(k * k, 0.0);
  double total = 0;
  int counted = 0;
  for (int g = 0; g < k; ++g) {
    counted += by_label[g].size();
    int row_sum = std::accumulate(r.confident_joint.begin() + g * k, r.confident_joint.begin() + (g + 1) * k, 0);
    if (row_sum == 0) continue;
    for (int j = 0; j < k; ++j) {
      r.joint[g * k + j] = static_cast<double>(r.confident_joint[g * k + j]) / row_sum * by_label[g].size();
      total += r.joint[g * k + j];
    }
  }
  if (total > 0) {
    for (double& q : r.joint) q /= total;
  }

  // Prune by noise rate: for each off-diagonal (given g, true j), the
  // round(Q[g][j] * N) samples labelled g with the largest margin p_j - p_g.
  std::vector<int> pruned_towards(n, -1);
  for (int g = 0; g < k; ++g) {
    std::vector<int> members = by_label[g];
    for (int j = 0; j < k; ++j) {
      if (j == g) continue;
      size_t take = std::min<size_t>(std::lround(r.joint[g * k + j] * counted), members.size());
      if (take == 0) continue;
      auto larger_margin = [&](int a, int b) {
        float ma = probs.at(a, j) - probs.at(a, g), mb = probs.at(b, j) - probs.at(b, g);
        return ma != mb ? ma > mb : a < b;
      };
      std::partial_sort(members.begin(), members.begin() + take, members.end(), larger_margin);
      for (size_t m = 0; m < take; ++m) {
        int s = members[m];
        if (pruned_towards[s] < 0 || probs.at(s, j) > probs.at(s, pruned_towards[s])) pruned_towards[s] = j;
      }
    }
  }
  for (int i = 0; i < n; ++i) {
    if (pruned_towards[i] < 0) continue;
    LabelIssue issue;
    issue.sample = i;
    issue.given_label = labels[i];
    issue.suggested_label = pruned_towards[i];
    issue.quality = r.quality[i];
    issue.p_given = probs.at(i, labels[i]);
    issue.p_suggested = probs.at(i, pruned_towards[i]);
    r.issues.push_back(issue);
  }
  std::stable_sort(r.issues.begin(), r.issues.end(),
                   [](const LabelIssue& a, const LabelIssue& b) { return a.quality < b.quality; });
  return r;
}

}  // namespace foldstack::analysis
