// Relabel candidates for the mask task (18 classes = 6 * mask + 3 * gender + age
// bin, see data/mask_labels.h), using its structure: the 7 photos of a person
// share gender and age, so those are judged once per PERSON on probabilities
// pooled over the person's photos; the mask state is judged per photo, and the
// typical filing error - the incorrect_mask and normal photos swapped - is
// reported as one pair.
//
// Method (chosen: confident learning per attribute, on marginals):
//  - marginals of the combined 18-class probabilities: mask (3), gender (2), age (3);
//  - gender / age: a person's pooled marginal = the mean over their photos, their
//    given value = the majority of their rows; ConfidentLearning() over persons
//    (per-value thresholds, confident joint, prune by noise rate) flags persons;
//  - mask_swap: a person with exactly one photo labelled incorrect and one
//    labelled not worn, where the two labels swapped are jointly more likely
//    than as given (P_a(not worn) P_b(incorrect) > P_a(incorrect) P_b(not worn))
//    and confident learning flags at least one of the two photos' mask state;
//  - mask: ConfidentLearning() over photos on the mask marginal, photos of a
//    swap pair left out.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_MASK_TASK_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_MASK_TASK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

enum class MaskIssueKind { kMask, kMaskSwap, kGender, kAge };
// "mask", "mask_swap", "gender", "age" (the kinds of data synth's label_noise.csv).
const char* MaskIssueKindName(MaskIssueKind kind);

struct MaskMarginals {
  ProbMatrix mask;    // N x 3: worn, incorrect, not worn
  ProbMatrix gender;  // N x 2: male, female
  ProbMatrix age;     // N x 3: <30, 30-59, >=60
};
// Error unless probs has the mask task's 18 classes.
absl::StatusOr<MaskMarginals> ComputeMaskMarginals(const ProbMatrix& probs);

// One row for v_relabel_candidates: a sample whose 18-class label would change.
struct SampleRelabel {
  int sample = 0;
  int given_label = 0;
  int suggested_label = 0;
};

struct MaskCandidate {
  MaskIssueKind kind = MaskIssueKind::kMask;
  std::string person;
  int sample = 0;           // the photo (mask), the incorrect-labelled photo (swap), the person's first sample
  int given_value = 0;      // mask state / gender / age bin given (swap: 1 = incorrect, of `sample`)
  int suggested_value = 0;  // and suggested (swap: 2 = not worn)
  // Lower = more suspicious, in [0, 1]: the (pooled) probability of the given
  // value; for a swap, P(given) / (P(given) + P(swapped)) under independence.
  float score = 0;
  float p_given = 0;
  float p_suggested = 0;    // swap: P(swapped) / (P(given) + P(swapped))
  int photos = 0;           // photos judged together: 1, 2 (swap) or the person's count
  std::vector<SampleRelabel> relabels;  // the rows to store; samples already at the suggestion are left out
  std::string evidence;     // one line for a reviewer
};

// probs: the combined OOF probabilities (18 classes); labels: given 18-class
// labels; persons: each sample's person (group). Candidates ranked by score
// ascending (then kind, person).
absl::StatusOr<std::vector<MaskCandidate>> FindMaskCandidates(const ProbMatrix& probs,
                                                              const std::vector<int>& labels,
                                                              const std::vector<std::string>& persons);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_MASK_TASK_H_
