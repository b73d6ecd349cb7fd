#include "coordinator/split/kfold.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/split/portable_rng.h"

namespace foldstack::split {
namespace {

struct Group {
  std::vector<int> samples;  // indices into labels/groups
  std::vector<int> labels;   // sorted: the group's label signature
};

// Groups in order of first appearance, so the result does not depend on hash order.
std::vector<Group> CollectGroups(const std::vector<int>& labels,
                                 const std::vector<std::string>& groups, bool group) {
  std::vector<Group> result;
  std::unordered_map<std::string, int> index_of;
  for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
    int g;
    if (group) {
      auto [it, inserted] = index_of.emplace(groups[i], static_cast<int>(result.size()));
      if (inserted) result.emplace_back();
      g = it->second;
    } else {
      g = static_cast<int>(result.size());
      result.emplace_back();
    }
    result[g].samples.push_back(i);
    result[g].labels.push_back(labels[i]);
  }
  for (Group& gr : result) std::sort(gr.labels.begin(), gr.labels.end());
  return result;
}

}  // namespace

absl::StatusOr<std::vector<int>> AssignFolds(const std::vector<int>& labels,
                                             const std::vector<std::string>& groups,
                                             const KFoldOptions& options) {
  const int k = options.k;
  if (labels.size() != groups.size()) {
    return absl::InvalidArgumentError(absl::StrCat("k-fold: ", labels.size(), " labels but ",
                                                   groups.size(), " groups; expected one each per sample"));
  }
  if (k < 2) return absl::InvalidArgumentError(absl::StrCat("k-fold: k = ", k, ", expected k >= 2"));
  std::vector<Group> all = CollectGroups(labels, groups, options.group);
  if (k > static_cast<int>(all.size())) {
    return absl::InvalidArgumentError(absl::StrCat("k-fold: k = ", k, " but only ", all.size(),
                                                   " groups; expected k <= number of groups"));
  }

  // Strata keyed by signature; std::map gives a platform-independent order.
  std::map<std::string, std::vector<int>> strata;
  for (int g = 0; g < static_cast<int>(all.size()); ++g) {
    std::string key = options.stratify ? absl::StrJoin(all[g].labels, ",") : "";
    strata[key].push_back(g);
  }

  SplitMix64 rng(options.seed);
  std::vector<int64_t> fold_samples(k, 0);
  std::vector<int> fold_of_sample(labels.size(), -1);
  for (auto& [signature, members] : strata) {
    PortableShuffle(members, rng);
    // Each fold gets floor(n/k) groups of this stratum, and `extra` folds one more.
    const int n = static_cast<int>(members.size());
    const int floor_count = n / k;
    int extra_left = n % k;
    std::vector<int> in_stratum(k, 0);
    for (int g : members) {
      int best = -1;
      for (int f = 0; f < k; ++f) {
        bool eligible = in_stratum[f] < floor_count || (in_stratum[f] == floor_count && extra_left > 0);
        if (eligible && (best < 0 || fold_samples[f] < fold_samples[best])) best = f;
      }
      if (in_stratum[best] == floor_count) --extra_left;
      ++in_stratum[best];
      fold_samples[best] += static_cast<int64_t>(all[g].samples.size());
      for (int s : all[g].samples) fold_of_sample[s] = best;
    }
  }
  return fold_of_sample;
}

}  // namespace foldstack::split
