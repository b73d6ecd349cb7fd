#include "coordinator/http/api_json.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "coordinator/sweep/states.h"

namespace foldstack::http {
namespace {

// The proto enums list states.h's states after an UNSPECIFIED zero (wire_states.h).
std::string SweepStateName(foldstack::v1::SweepState state) {
  if (state == foldstack::v1::SWEEP_STATE_UNSPECIFIED) return "unspecified";
  return std::string(sweep::SweepStateName(static_cast<sweep::SweepState>(state - 1)));
}

std::string TrialStateName(foldstack::v1::TrialState state) {
  if (state == foldstack::v1::TRIAL_STATE_UNSPECIFIED) return "unspecified";
  return std::string(sweep::TrialStateName(static_cast<sweep::TrialState>(state - 1)));
}

nlohmann::json NumberOrNull(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

}  // namespace

absl::StatusOr<int> ParsePositive(const std::string& name, const std::string& text, int fallback, int max) {
  if (text.empty()) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 1 || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("?", name, "=: expected an integer from 1 to ", max, ", got \"", text.substr(0, 40), "\""));
  }
  return value;
}

absl::StatusOr<int> ParseLimit(const std::string& text) { return ParsePositive("limit", text, kDefaultLimit, kMaxLimit); }

nlohmann::json SweepJson(const foldstack::v1::SweepSummary& s) {
  const int ended = s.jobs_done() + s.jobs_failed() + s.jobs_cancelled() + s.jobs_pruned();
  return {
      {"id", s.sweep_id()},
      {"name", s.name()},
      {"state", SweepStateName(s.state())},
      {"paused", s.paused()},
      {"method", s.method()},
      {"metric", s.metric()},
      {"minimize", s.minimize()},
      {"best_value", NumberOrNull(s.best_value())},
      {"trials", s.trials()},
      {"trial_budget", s.trial_budget()},
      {"k", s.k()},
      {"jobs_total", s.jobs_total()},
      {"jobs_queued", s.jobs_queued()},
      {"jobs_running", s.jobs_running()},
      {"jobs_done", s.jobs_done()},
      {"jobs_failed", s.jobs_failed()},
      {"jobs_pruned", s.jobs_pruned()},
      {"jobs_cancelled", s.jobs_cancelled()},
      {"progress", s.jobs_total() == 0 ? 0.0 : static_cast<double>(ended) / s.jobs_total()},
      {"eta_seconds", s.eta_seconds()},
      {"created_unix_ms", s.created_unix_ms()},
      {"finished_unix_ms", s.finished_unix_ms() == 0 ? nlohmann::json() : nlohmann::json(s.finished_unix_ms())},
      {"dataset_kind", s.dataset_kind()},
      {"label_version", s.label_version()},
  };
}

nlohmann::json TrialJson(const foldstack::v1::TrialRow& t, const std::vector<std::string>& names) {
  nlohmann::json params = nlohmann::json::parse(t.params_json(), nullptr, /*allow_exceptions=*/false);
  if (!names.empty() && params.is_object()) {
    nlohmann::json kept = nlohmann::json::object();
    for (const std::string& name : names) {
      if (params.contains(name)) kept[name] = std::move(params[name]);
    }
    params = std::move(kept);
  }
  return {
      {"trial_id", t.trial_id()},
      {"index", t.index()},
      {"state", TrialStateName(t.state())},
      {"folds_done", t.folds_done()},
      {"value", NumberOrNull(t.value())},
      {"params", params.is_discarded() ? nlohmann::json::object() : params},
      {"stopped_epoch", t.stopped_epoch()},
      {"stop_reason", t.stop_reason()},
  };
}

nlohmann::json ConfusionJson(const coordinator::ConfusionMatrix& matrix) {
  nlohmann::json rows = nlohmann::json::array();
  for (int32_t label = 0; label < matrix.num_classes; ++label) {
    const auto first = matrix.counts.begin() + static_cast<ptrdiff_t>(label) * matrix.num_classes;
    rows.push_back(std::vector<int64_t>(first, first + matrix.num_classes));
  }
  return {{"trial_id", matrix.trial_id},       {"sweep_id", matrix.sweep_id},
          {"num_classes", matrix.num_classes}, {"class_names", matrix.class_names},
          {"counts", rows},                    {"samples", matrix.samples}};
}

nlohmann::json CurvesJson(const std::vector<coordinator::JobCurve>& curves) {
  nlohmann::json out = nlohmann::json::array();
  for (const coordinator::JobCurve& curve : curves) {
    nlohmann::json epochs = nlohmann::json::array(), values = nlohmann::json::array();
    for (const coordinator::CurvePoint& point : curve.points) {
      epochs.push_back(point.epoch);
      values.push_back(point.value);
    }
    const bool pruned = curve.state == sweep::JobState::kPruned;
    out.push_back({{"trial_id", curve.trial_id},
                   {"trial_index", curve.trial_index},
                   {"fold", curve.fold},
                   {"state", std::string(sweep::JobStateName(curve.state))},
                   {"pruned", pruned},
                   {"stopped_epoch", pruned && !curve.points.empty() ? curve.points.back().epoch : 0},
                   {"epochs", epochs},
                   {"values", values}});
  }
  return out;
}

nlohmann::json CandidateJson(const foldstack::v1::RelabelCandidateRow& row, int64_t dataset_id,
                             const std::vector<std::string>& photo_keys) {
  const bool photo = !row.sample_key().empty();
  nlohmann::json evidence = nlohmann::json::parse(row.evidence_json(), nullptr, /*allow_exceptions=*/false);
  if (evidence.is_discarded()) evidence = row.evidence_json();
  return {
      {"candidate_id", row.candidate_id()},
      {"target", photo ? row.sample_key() : row.person()},
      {"kind", photo ? "photo" : "person"},
      {"aspect", row.kind()},
      {"person", row.person()},
      {"given_label", row.given_label()},
      {"given_name", row.given_name()},
      {"suggested_label", row.suggested_label()},
      {"suggested_name", row.suggested_name()},
      {"score", NumberOrNull(row.score())},
      {"method", row.method()},
      {"evidence", evidence},
      {"review_status", row.review_status()},
      {"dataset_id", dataset_id},
      {"photo_keys", photo_keys},
  };
}

nlohmann::json ReviewedJson(const foldstack::v1::ReviewLabelsResponse& r) {
  nlohmann::json reviewed = nlohmann::json::array();
  for (const auto& t : r.reviewed()) {
    reviewed.push_back({{"target", t.target()},
                        {"decision", t.decision()},
                        {"samples", t.samples()},
                        {"label", t.label()},
                        {"label_name", t.label_name()}});
  }
  return {{"dataset_id", r.dataset_id()},
          {"label_version", r.label_version()},
          {"new_version", r.new_version()},
          {"reviewed", reviewed}};
}

}  // namespace foldstack::http
