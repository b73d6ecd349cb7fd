#include "common/closest_name.h"

#include <algorithm>

namespace foldstack::common {

int EditDistance(std::string_view a, std::string_view b) {
  // One rolling row of the classic dynamic programme.
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      const int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& known) {
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : known) {
    const int distance = EditDistance(name, candidate);
    const int longer = static_cast<int>(std::max(name.size(), candidate.size()));
    const int allowed = std::max(2, longer / 3);
    if (distance > allowed) continue;
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& known) {
  const std::string closest = ClosestName(name, known);
  if (closest.empty()) return "";
  return " (did you mean \"" + closest + "\"?)";
}

std::vector<std::string> ClosestNames(std::string_view name, const std::vector<std::string>& known,
                                      size_t count) {
  std::vector<std::pair<int, std::string>> ranked;
  for (const std::string& candidate : known) ranked.emplace_back(EditDistance(name, candidate), candidate);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> closest;
  for (size_t i = 0; i < ranked.size() && i < count; ++i) closest.push_back(ranked[i].second);
  return closest;
}

}  // namespace foldstack::common
