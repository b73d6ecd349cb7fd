#include "coordinator/managers/ensemble_scores.h"

#include "common/mask_heads.h"
#include "common/status_macros.h"
#include "coordinator/analysis/composite.h"

namespace foldstack::coordinator {
namespace {

using analysis::ProbMatrix;

constexpr int kMaskClasses = 18;

// The best candidate in [begin, end) by its single score; -1 when the range is empty.
int BestCandidate(const std::vector<double>& single_scores, analysis::Metric metric, int begin, int end) {
  int best = -1;
  for (int c = begin; c < end; ++c) {
    if (best < 0 || (analysis::Maximize(metric) ? single_scores[c] > single_scores[best]
                                                : single_scores[c] < single_scores[best])) {
      best = c;
    }
  }
  return best;
}

// Per-head figures of `probs` (mask task only: other datasets have no heads).
absl::Status AddHeadScores(const ProbMatrix& probs, const std::vector<int>& labels,
                           google::protobuf::RepeatedPtrField<v1::HeadScore>* out) {
  if (probs.num_classes != kMaskClasses) return absl::OkStatus();
  FS_ASSIGN_OR_RETURN(analysis::HeadScores scores, analysis::ScoreHeads(probs, labels));
  for (common::Head head : {common::Head::kMask, common::Head::kGender, common::Head::kAge}) {
    v1::HeadScore* row = out->Add();
    row->set_head(common::HeadName(head));
    row->set_macro_f1(scores.macro_f1[static_cast<int>(head)]);
    row->set_accuracy(scores.accuracy[static_cast<int>(head)]);
  }
  return absl::OkStatus();
}

}  // namespace

// Each member's single score, the library's size, its best single trial and best composite.
void FillSingleScores(const CandidateLibrary& candidates, const std::vector<double>& single_scores,
                      analysis::Metric metric, v1::SelectEnsembleResponse& response) {
  for (v1::EnsembleMemberRow& member : *response.mutable_ensemble()->mutable_members()) {
    for (size_t c = 0; c < candidates.candidates.size(); ++c) {
      const Candidate& candidate = candidates.candidates[c];
      if (candidate.trial_id == member.trial_id() && candidate.composite == member.composite()) {
        member.set_single_score(single_scores[c]);
      }
    }
  }
  const int total = static_cast<int>(candidates.candidates.size());
  response.set_library_size(candidates.trials);
  response.set_composites(total - candidates.trials);
  const int best = BestCandidate(single_scores, metric, 0, candidates.trials);
  response.set_best_single_trial_id(candidates.candidates[best].trial_id);
  response.set_best_single_score(single_scores[best]);
  const int composite = BestCandidate(single_scores, metric, candidates.trials, total);
  if (composite >= 0) {
    response.set_best_composite(candidates.candidates[composite].composite);
    response.set_best_composite_score(single_scores[composite]);
  }
}

absl::Status FillHeadScores(const std::vector<ProbMatrix>& probs, const std::vector<int>& labels,
                            const analysis::EnsembleResult& result, const CandidateLibrary& candidates,
                            v1::SelectEnsembleResponse& response) {
  FS_ASSIGN_OR_RETURN(ProbMatrix ensemble, analysis::WeightedAverage(probs, result.weights));
  FS_RETURN_IF_ERROR(AddHeadScores(ensemble, labels, response.mutable_ensemble_heads()));
  for (size_t c = 0; c < candidates.candidates.size(); ++c) {
    const Candidate& candidate = candidates.candidates[c];
    if (candidate.composite.empty() && candidate.trial_id == response.best_single_trial_id()) {
      FS_RETURN_IF_ERROR(AddHeadScores(probs[c], labels, response.mutable_best_single_heads()));
    }
    if (!candidate.composite.empty() && candidate.composite == response.best_composite()) {
      FS_RETURN_IF_ERROR(AddHeadScores(probs[c], labels, response.mutable_best_composite_heads()));
    }
  }
  return absl::OkStatus();
}


}  // namespace foldstack::coordinator
