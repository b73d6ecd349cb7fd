#include "cli/analysis_args.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace foldstack::cli {

absl::StatusOr<std::vector<int64_t>> ParseIds(const std::string& flag, const std::string& text) {
  std::vector<int64_t> ids;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(part, &id) || id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": \"", part, "\" is not an id (expected e.g. ", flag, " 3,4)"));
    }
    ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<AnalysisTarget> ParseAnalysisTarget(const std::vector<std::string>& positional,
                                                   const std::string& sweeps_flag, const std::string& trials_flag) {
  AnalysisTarget target;
  if (positional.size() > 1) return absl::InvalidArgumentError("expected at most one SWEEP_ID");
  if (positional.size() == 1 && (!absl::SimpleAtoi(positional[0], &target.sweep_id) || target.sweep_id <= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", positional[0], "\" is not a sweep id"));
  }
  auto sweeps = ParseIds("--sweeps", sweeps_flag);
  if (!sweeps.ok()) return sweeps.status();
  auto trials = ParseIds("--trials", trials_flag);
  if (!trials.ok()) return trials.status();
  target.sweep_ids = std::move(*sweeps);
  target.trial_ids = std::move(*trials);
  if (target.sweep_id > 0 && !target.sweep_ids.empty()) {
    return absl::InvalidArgumentError("give SWEEP_ID or --sweeps, not both");
  }
  if (!target.sweep_ids.empty() && !target.trial_ids.empty()) {
    return absl::InvalidArgumentError("give --sweeps (every completed trial of each) or --trials, not both");
  }
  if (target.sweep_id == 0 && target.sweep_ids.empty() && target.trial_ids.empty()) {
    return absl::InvalidArgumentError("give SWEEP_ID, --sweeps 3,4 or --trials 7,12");
  }
  return target;
}

std::string SweepsText(absl::Span<const int64_t> sweep_ids) {
  return absl::StrCat(sweep_ids.size() == 1 ? "sweep " : "sweeps ", absl::StrJoin(sweep_ids, ","));
}

}  // namespace foldstack::cli
