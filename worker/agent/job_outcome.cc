#include "worker/agent/job_outcome.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace foldstack::worker {
namespace {

JobOutcome Fail(std::string reason, bool retryable) { return {OutcomeKind::kFail, std::move(reason), retryable}; }

bool ReportedMetric(const RelayState& relay, const std::string& metric, std::set<std::string>* names) {
  for (const auto& [epoch, metrics] : relay.epochs) {
    for (const auto& [name, value] : metrics) names->insert(name);
  }
  return names->count(metric) > 0;
}

}  // namespace

JobOutcome DecideOutcome(const OutcomeInputs& in, const RelayState& relay) {
  const std::string child = in.program ? "program" : "trainer";
  if (relay.pruned.has_value()) return {OutcomeKind::kPruned, *relay.pruned, false};
  if (in.revoked) return {OutcomeKind::kDropped, "revoked", false};
  if (relay.lease_lost) return {OutcomeKind::kDropped, std::string(relay.report_error.message()), false};
  if (!relay.report_error.ok()) return Fail(absl::StrCat("reporting results failed: ", relay.report_error.message()), true);
  if (!relay.bad_output.ok()) return Fail(absl::StrCat(child, " output refused: ", relay.bad_output.message()), false);
  if (!in.exit.ok()) {
    std::string reason = absl::StrCat(child, " ", in.exit.Describe());
    if (!in.last_error.empty()) absl::StrAppend(&reason, ": ", in.last_error);
    // A signal (crash, OOM kill) may not recur elsewhere; a child's own error (bad input) will.
    return Fail(reason, in.exit.signaled);
  }
  if (!in.program && !relay.done.has_value()) return Fail(absl::StrCat(child, " exited with code 0 without reporting a result"), false);
  if (!in.training) return {OutcomeKind::kComplete, "", false};
  std::set<std::string> names;
  if (!ReportedMetric(relay, in.metric, &names)) {
    return Fail(absl::StrCat(child, " ended without reporting the sweep metric '", in.metric, "' (it reported ",
                             names.empty() ? "no metrics" : absl::StrJoin(names, ", "), ")"),
                false);
  }
  if (!in.predictions_complete.ok()) return Fail(absl::StrCat(child, " ", in.predictions_complete.message()), false);
  return {OutcomeKind::kComplete, "", false};
}

}  // namespace foldstack::worker
