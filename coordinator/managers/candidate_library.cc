#include "coordinator/managers/candidate_library.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/mask_heads.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

constexpr int kMaskClasses = 18;

bool IsMaskTask(const SweepOof& oof) { return oof.dataset_kind == "mask" && oof.num_classes == kMaskClasses; }

common::TrainTask TaskOf(const std::string& task) {
  return common::ParseTrainTask(task).value_or(common::TrainTask::kSingle);
}

absl::StatusOr<std::vector<analysis::CompositeSpec>> ChooseSpecs(const SweepOof& oof,
                                                                 const std::vector<std::string>& requested) {
  if (requested.size() == 1 && requested[0] == "none") return std::vector<analysis::CompositeSpec>{};
  if (requested.empty()) {
    if (!IsMaskTask(oof)) return std::vector<analysis::CompositeSpec>{};
    std::vector<common::TrainTask> tasks;
    for (const std::string& task : oof.tasks) tasks.push_back(TaskOf(task));
    return analysis::AutomaticComposites(oof.trial_ids, tasks);
  }
  if (!IsMaskTask(oof)) {
    return absl::InvalidArgumentError(absl::StrCat("composites: only the mask task's 18 classes have heads; this library's dataset is \"",
                                                   oof.dataset_kind, "\" with ", oof.num_classes, " classes"));
  }
  std::vector<analysis::CompositeSpec> specs;
  for (const std::string& text : requested) {
    FS_ASSIGN_OR_RETURN(std::vector<analysis::CompositeSpec> parsed, analysis::ParseCompositeSpecs(text));
    specs.insert(specs.end(), parsed.begin(), parsed.end());
  }
  return specs;
}

}  // namespace

std::string CandidateName(const Candidate& candidate) {
  return candidate.composite.empty() ? absl::StrCat("trial ", candidate.trial_id)
                                     : absl::StrCat("composite ", candidate.composite);
}

analysis::HeadSourceTrial SourceTrial(int64_t trial_id, const std::string& task, const analysis::ProbMatrix& probs) {
  return {trial_id, TaskOf(task), &probs};
}

absl::StatusOr<CandidateLibrary> BuildCandidates(SweepOof& oof, const std::vector<std::string>& composites) {
  FS_ASSIGN_OR_RETURN(std::vector<analysis::CompositeSpec> specs, ChooseSpecs(oof, composites));
  const int n = static_cast<int>(oof.samples.size());
  std::vector<analysis::ProbMatrix> trials;
  std::map<int64_t, size_t> index;
  for (size_t t = 0; t < oof.trial_ids.size(); ++t) {
    trials.push_back({n, oof.widths[t], std::move(oof.probs[t])});
    index[oof.trial_ids[t]] = t;
  }
  oof.probs.clear();
  auto find = [&](int64_t trial_id) -> absl::StatusOr<analysis::HeadSourceTrial> {
    auto it = index.find(trial_id);
    if (it == index.end()) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", trial_id, " is not in the library (a completed trial of ",
                                                     "the sweeps or trials named)"));
    }
    return SourceTrial(trial_id, oof.tasks[it->second], trials[it->second]);
  };
  CandidateLibrary library;
  std::vector<analysis::ProbMatrix> composite_probs;
  for (const analysis::CompositeSpec& spec : specs) {
    absl::StatusOr<analysis::ProbMatrix> probs = analysis::BuildComposite(spec, find);
    if (!probs.ok()) {
      return absl::Status(probs.status().code(), absl::StrCat("composite ", spec.ToString(), ": ", probs.status().message()));
    }
    composite_probs.push_back(*std::move(probs));
  }
  for (size_t t = 0; t < trials.size(); ++t) {
    if (oof.widths[t] != oof.num_classes) continue;  // a head trial: one head's rows
    library.candidates.push_back({oof.trial_ids[t], ""});
    library.probs.push_back(std::move(trials[t]));
  }
  library.trials = static_cast<int>(library.candidates.size());
  if (library.trials == 0) {
    return absl::FailedPreconditionError(
        "ensemble: the library has no 18-class trial (head trials only join as parts of composites)");
  }
  for (size_t c = 0; c < specs.size(); ++c) {
    library.candidates.push_back({0, specs[c].ToString()});
    library.probs.push_back(std::move(composite_probs[c]));
  }
  return library;
}

}  // namespace foldstack::coordinator
