// Composites: 18-class mask probabilities put together from per-head sources, e.g. "the 18-class
// EfficientNet, but with the age head replaced by the age-only model" (base=12,age=31).
//
// Each head (mask 3, gender 2, age 3; common/mask_heads.h) comes from one trial:
//   - a single-head trial of that head (task mask / gender / age / age_regression): its own rows;
//   - a multi-head trial (task multi_head): the matching head; its stored 18-class rows are the
//     product of its heads, so that head is exactly their marginal;
//   - an 18-class trial (task single): the marginal of its 18-class rows.
// The composite is the product p(mask) · p(gender) · p(age) at class 6 * mask + 3 * gender + age.
// Independence assumption: the three heads are taken as independent given the image. Mask state
// and the person's gender and age are set independently in the data, but a model's errors on them
// need not be (a hard photo is hard for all three), so the product is an approximation; it sums to
// 1 by construction, and Caruana selection judges composites on their OOF score like any trial.
#ifndef FOLDSTACK_COORDINATOR_ANALYSIS_COMPOSITE_H_
#define FOLDSTACK_COORDINATOR_ANALYSIS_COMPOSITE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/mask_heads.h"
#include "coordinator/analysis/oof.h"

namespace foldstack::analysis {

// "base=12,age=31": trial 12 gives every head not named; or all three heads named
// ("mask=4,gender=4,age=31") without a base.
struct CompositeSpec {
  int64_t base = 0;             // 0: none
  std::array<int64_t, 3> heads{};  // by common::Head; 0: from base

  int64_t HeadTrial(common::Head head) const;
  // Canonical text: base first, then the named heads in mask, gender, age order.
  std::string ToString() const;
  bool operator==(const CompositeSpec& other) const { return base == other.base && heads == other.heads; }
};

// One spec; INVALID_ARGUMENT naming the part that is wrong (unknown key, bad id, a head named
// twice, a head left without a source).
absl::StatusOr<CompositeSpec> ParseCompositeSpec(absl::string_view text);
// Specs separated by ';' (empty parts skipped).
absl::StatusOr<std::vector<CompositeSpec>> ParseCompositeSpecs(absl::string_view text);

// A trial's probabilities as a composite source.
struct HeadSourceTrial {
  int64_t trial_id = 0;
  common::TrainTask task = common::TrainTask::kSingle;
  const ProbMatrix* probs = nullptr;  // 18 classes, or the task's head's classes
};

// `head`'s probabilities from `trial` (see above). INVALID_ARGUMENT when a single-head trial is of
// another head or a matrix has the wrong width.
absl::StatusOr<ProbMatrix> HeadProbs(const HeadSourceTrial& trial, common::Head head);

// The 18-class product of the three heads' probabilities (one row count).
absl::StatusOr<ProbMatrix> MultiplyHeads(const ProbMatrix& mask, const ProbMatrix& gender, const ProbMatrix& age);

// The composite's 18-class probabilities; `find` gives each trial the spec names (an error from it
// is returned). The base must be an 18-class trial.
absl::StatusOr<ProbMatrix> BuildComposite(const CompositeSpec& spec,
                                          const std::function<absl::StatusOr<HeadSourceTrial>(int64_t)>& find);

// Every 18-class trial with one head replaced by each head trial of that head, in trial order:
// the candidates ensemble selection adds by default.
std::vector<CompositeSpec> AutomaticComposites(const std::vector<int64_t>& trial_ids,
                                               const std::vector<common::TrainTask>& tasks);

// Each head's own macro-F1 and accuracy of 18-class probabilities against 18-class labels.
struct HeadScores {
  std::array<double, 3> macro_f1{};  // by common::Head
  std::array<double, 3> accuracy{};
};
absl::StatusOr<HeadScores> ScoreHeads(const ProbMatrix& probs, const std::vector<int>& labels);

}  // namespace foldstack::analysis

#endif  // FOLDSTACK_COORDINATOR_ANALYSIS_COMPOSITE_H_
