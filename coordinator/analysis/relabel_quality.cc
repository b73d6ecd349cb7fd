#include "coordinator/analysis/relabel_quality.h"

#include <array>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace foldstack::analysis {
namespace {

// Fills precision and recall from the counts.
DetectionQuality Finish(std::string kind, int planted, int flagged, int correct) {
  DetectionQuality q{std::move(kind), planted, flagged, correct, 0, 0};
  if (flagged > 0) q.precision = static_cast<double>(correct) / flagged;
  if (planted > 0) q.recall = static_cast<double>(correct) / planted;
  return q;
}

}  // namespace

absl::StatusOr<std::vector<PlantedError>> ParseLabelNoiseCsv(absl::string_view text) {
  std::vector<PlantedError> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripSuffix(line, "\r");
    if (line_number == 1) {
      if (line != "person,kind,given,truth") {
        return absl::InvalidArgumentError(
            absl::StrCat("label_noise.csv:1: header \"", line, "\", expected \"person,kind,given,truth\""));
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() != 4 || fields[0].empty() || fields[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("label_noise.csv:", line_number, ": \"", line, "\", expected person,kind,given,truth"));
    }
    out.push_back({fields[0], fields[1]});
  }
  return out;
}

std::vector<DetectionQuality> MaskCandidateQuality(const std::vector<MaskCandidate>& candidates,
                                                   const std::vector<PlantedError>& planted) {
  std::set<std::pair<std::string, std::string>> truth, flagged;  // (kind, person)
  for (const PlantedError& e : planted) truth.insert({e.kind, e.person});
  for (const MaskCandidate& c : candidates) flagged.insert({MaskIssueKindName(c.kind), c.person});
  std::map<std::string, std::array<int, 3>> counts;  // kind -> planted, flagged, correct
  for (const auto& [kind, person] : truth) ++counts[kind][0];
  for (const auto& entry : flagged) {
    ++counts[entry.first][1];
    counts[entry.first][2] += truth.count(entry);
  }
  std::vector<DetectionQuality> out;
  std::array<int, 3> all{0, 0, 0};
  for (const auto& [kind, c] : counts) {
    out.push_back(Finish(kind, c[0], c[1], c[2]));
    for (int i = 0; i < 3; ++i) all[i] += c[i];
  }
  out.push_back(Finish("all", all[0], all[1], all[2]));
  return out;
}

DetectionQuality SampleQuality(const std::vector<int>& flagged, const std::vector<int>& flipped) {
  std::set<int> truth(flipped.begin(), flipped.end()), found(flagged.begin(), flagged.end());
  int correct = 0;
  for (int s : found) correct += truth.count(s);
  return Finish("all", truth.size(), found.size(), correct);
}

}  // namespace foldstack::analysis
