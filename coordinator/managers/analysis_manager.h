// Out-of-fold analysis on the results database: relabel candidates found from the trials' OOF
// probabilities (coordinator/analysis/ detection, stored as v_relabel_candidates) and ensembles
// selected from them (stored as v_ensembles).
//
// Thread safety: every call reads in one transaction and writes in another; the computation in
// between holds no lock. Concurrent finds for one sweep leave one of them's candidates.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_ANALYSIS_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_ANALYSIS_MANAGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

// A trial's out-of-fold confusion matrix: row = the label it trained on, column = its predicted
// class (argmax of its OOF probabilities, the lowest class on ties).
struct ConfusionMatrix {
  int64_t trial_id = 0;
  int64_t sweep_id = 0;
  int32_t num_classes = 0;
  std::vector<std::string> class_names;
  std::vector<int64_t> counts;  // num_classes x num_classes, row-major
  int64_t samples = 0;          // OOF samples the trial predicted (the counts' sum)
};

class AnalysisManager {
 public:
  // `review` lists the stored candidates with their class names and review status.
  AnalysisManager(SqliteDb& db, Clock& clock, LabelReviewManager& review)
      : db_(db), clock_(clock), review_(review) {}

  // Averages the chosen trials' OOF probabilities (one sweep's, or several sweeps' on one split: see
  // trial_library.h), runs the chosen methods and replaces their stored candidates for the sweep
  // (across sweeps: the first of them). Mask task (18 classes), confident_learning: person-level
  // gender/age candidates (no sample; labels are classes with the given/suggested gender and age,
  // mask "wear"), per-photo mask candidates and mask_swap pairs (one row per photo). Otherwise, and
  // for fold_voting: one row per sample (kind "class", or "mask" when only the mask state differs).
  // Stored score = 1 - label quality: higher = more likely wrong.
  absl::StatusOr<foldstack::v1::FindRelabelCandidatesResponse> FindRelabelCandidates(
      const foldstack::v1::FindRelabelCandidatesRequest& request);

  // Caruana greedy selection (or soft voting of the top K) over the sweep's completed trials (or
  // several sweeps' on one split, or named trials: see trial_library.h), on the samples every one of
  // them predicted, with a nested score over the split's folds. The ensemble records its members'
  // sweeps; its own sweep is the first of them.
  absl::StatusOr<foldstack::v1::SelectEnsembleResponse> SelectEnsemble(
      const foldstack::v1::SelectEnsembleRequest& request);

  absl::StatusOr<foldstack::v1::ShowEnsembleResponse> ShowEnsemble(
      const foldstack::v1::ShowEnsembleRequest& request);
  // The ensembles with a member from the sweep, newest first.
  absl::StatusOr<foldstack::v1::ListEnsemblesResponse> ListEnsembles(
      const foldstack::v1::ListEnsemblesRequest& request);

  // NOT_FOUND for an unknown trial; samples no done job of the trial predicted are left out.
  absl::StatusOr<ConfusionMatrix> Confusion(int64_t trial_id);

 private:
  SqliteDb& db_;
  Clock& clock_;
  LabelReviewManager& review_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_ANALYSIS_MANAGER_H_
