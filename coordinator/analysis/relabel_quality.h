// How well relabel candidates find errors planted on purpose: precision and
// recall per error kind against data synth's label_noise.csv, or against a set
// of flipped sample indices (e.g. Fashion-MNIST with labels flipped at random).
// For the README's quality figures and the end-to-end test.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_RELABEL_QUALITY_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_RELABEL_QUALITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/analysis/mask_task.h"

namespace foldstack::analysis {

struct PlantedError {
  std::string person;  // the person's folder name (a mask sample's group)
  std::string kind;    // gender | age | mask_swap (| mask)
};

// label_noise.csv text: header `person,kind,given,truth`, then one row per error.
absl::StatusOr<std::vector<PlantedError>> ParseLabelNoiseCsv(absl::string_view text);

struct DetectionQuality {
  std::string kind;  // an error kind, or "all"
  int planted = 0;
  int flagged = 0;
  int correct = 0;         // flagged and planted
  double precision = 0;    // correct / flagged (0 when nothing was flagged)
  double recall = 0;       // correct / planted (0 when nothing was planted)
};

// One entry per kind seen in either list (sorted by name), then "all". A
// candidate is correct when its (person, kind) was planted.
std::vector<DetectionQuality> MaskCandidateQuality(const std::vector<MaskCandidate>& candidates,
                                                   const std::vector<PlantedError>& planted);

// Sample-level: flagged sample indices against flipped ones (kind "all").
DetectionQuality SampleQuality(const std::vector<int>& flagged, const std::vector<int>& flipped);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_RELABEL_QUALITY_H_
