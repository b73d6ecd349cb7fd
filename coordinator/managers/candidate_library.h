// The candidates of ensemble selection on a library's OOF predictions: its 18-class trials (head
// trials are no candidates: their rows are one head's) and composites of its trials
// (coordinator/analysis/composite.h), each as 18-class probabilities over the split's samples.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_CANDIDATE_LIBRARY_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_CANDIDATE_LIBRARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/analysis/composite.h"
#include "coordinator/analysis/oof.h"
#include "coordinator/store/oof_store.h"

namespace foldstack::coordinator {

struct Candidate {
  int64_t trial_id = 0;   // 0 for a composite
  std::string composite;  // the composite's spec (CompositeSpec::ToString), "" for a trial
};

struct CandidateLibrary {
  std::vector<Candidate> candidates;  // the trials first, then the composites
  std::vector<analysis::ProbMatrix> probs;  // per candidate: samples x num_classes
  int trials = 0;  // how many leading candidates are trials
};

// "trial 12" or "composite base=12,age=31", for messages.
std::string CandidateName(const Candidate& candidate);

// `composites` as in SelectEnsembleRequest: empty = the automatic ones (analysis::AutomaticComposites,
// mask task only), "none" = none, else the specs given, whose trials must be in the library
// (INVALID_ARGUMENT naming the composite and trial otherwise, or for a dataset that is not the mask
// task). FAILED_PRECONDITION when there is no 18-class candidate at all. Consumes oof.probs.
absl::StatusOr<CandidateLibrary> BuildCandidates(SweepOof& oof, const std::vector<std::string>& composites);

// One trial's rows as a composite source (its task parsed from the stored text).
analysis::HeadSourceTrial SourceTrial(int64_t trial_id, const std::string& task, const analysis::ProbMatrix& probs);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_CANDIDATE_LIBRARY_H_
