#include "coordinator/managers/analysis_manager.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/mask_heads.h"
#include "coordinator/analysis/composite.h"
#include "coordinator/analysis/confident_learning.h"
#include "coordinator/analysis/ensemble_selection.h"
#include "coordinator/analysis/fold_voting.h"
#include "coordinator/analysis/mask_task.h"
#include "coordinator/analysis/metrics.h"
#include "coordinator/managers/candidate_library.h"
#include "coordinator/managers/ensemble_scores.h"
#include "coordinator/managers/trial_library.h"
#include "coordinator/store/ensemble_store.h"
#include "coordinator/managers/label_names.h"
#include "coordinator/store/oof_store.h"
#include "coordinator/store/relabel_candidate_store.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using analysis::ProbMatrix;
using nlohmann::json;

constexpr char kConfidentLearning[] = "confident_learning";
constexpr char kFoldVoting[] = "fold_voting";
constexpr int kPersonClasses = 6;  // the gender x age part of a mask class
constexpr int kMaskClasses = 18;
// Ensembles keep their composite members in their options (the members table holds trials; a
// composite's trials are listed there with weight 0, so the ensemble is found by their sweeps).
constexpr char kCompositeMembers[] = "composite_members";

bool IsMask(const SweepOof& oof) { return oof.dataset_kind == "mask" && oof.num_classes == kMaskClasses; }

std::vector<ProbMatrix> Matrices(SweepOof& oof) {
  std::vector<ProbMatrix> out;
  for (size_t t = 0; t < oof.probs.size(); ++t) {
    out.push_back({static_cast<int>(oof.samples.size()), oof.widths[t], std::move(oof.probs[t])});
  }
  oof.probs.clear();
  return out;
}

// Relabelling judges the 18 classes: head trials (one head's rows) are left out.
absl::Status KeepFullTrials(SweepOof& oof) {
  SweepOof kept = oof;
  kept.trial_ids.clear(), kept.tasks.clear(), kept.widths.clear(), kept.probs.clear();
  for (size_t t = 0; t < oof.trial_ids.size(); ++t) {
    if (oof.widths[t] != oof.num_classes) continue;
    kept.trial_ids.push_back(oof.trial_ids[t]);
    kept.tasks.push_back(oof.tasks[t]);
    kept.widths.push_back(oof.widths[t]);
    kept.probs.push_back(std::move(oof.probs[t]));
  }
  if (kept.trial_ids.empty()) return absl::FailedPreconditionError("relabel: the library has no 18-class trial");
  oof = std::move(kept);
  return absl::OkStatus();
}

std::vector<int> Labels(const SweepOof& oof) {
  std::vector<int> labels;
  for (const OofSample& s : oof.samples) labels.push_back(s.label);
  return labels;
}

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// The mask task: person-level gender/age, per-photo mask and swapped pairs (see analysis/mask_task.h).
absl::StatusOr<std::vector<RelabelCandidate>> MaskRows(const SweepOof& oof, const ProbMatrix& combined,
                                                       int trials) {
  std::vector<std::string> persons;
  for (const OofSample& s : oof.samples) persons.push_back(s.group);
  FS_ASSIGN_OR_RETURN(std::vector<analysis::MaskCandidate> found,
                      analysis::FindMaskCandidates(combined, Labels(oof), persons));
  std::vector<RelabelCandidate> rows;
  for (const analysis::MaskCandidate& c : found) {
    if (c.relabels.empty()) continue;
    const std::string kind = analysis::MaskIssueKindName(c.kind);
    json evidence = {{"p_given", c.p_given}, {"p_suggested", c.p_suggested}, {"photos", c.photos},
                     {"trials", trials}, {"summary", c.evidence}};
    const double score = 1.0 - c.score;
    if (c.kind == analysis::MaskIssueKind::kGender || c.kind == analysis::MaskIssueKind::kAge) {
      // Judged once per person: the labels name the gender/age (mask state "wear").
      rows.push_back({0, c.person, kind, c.relabels[0].given_label % kPersonClasses,
                      c.relabels[0].suggested_label % kPersonClasses, score, Dump(evidence)});
      continue;
    }
    if (c.kind == analysis::MaskIssueKind::kMaskSwap) {
      json pair = json::array();
      for (const analysis::SampleRelabel& r : c.relabels) pair.push_back(oof.samples[r.sample].key);
      evidence["pair"] = pair;
    }
    for (const analysis::SampleRelabel& r : c.relabels) {
      rows.push_back({oof.samples[r.sample].sample_id, c.person, kind, r.given_label, r.suggested_label, score,
                      Dump(evidence)});
    }
  }
  return rows;
}

// Any other dataset: confident learning's issues, one per sample.
absl::StatusOr<std::vector<RelabelCandidate>> ClassRows(const SweepOof& oof, const ProbMatrix& combined, int trials) {
  FS_ASSIGN_OR_RETURN(analysis::ConfidentLearningResult result, analysis::ConfidentLearning(combined, Labels(oof)));
  std::vector<RelabelCandidate> rows;
  for (const analysis::LabelIssue& issue : result.issues) {
    const OofSample& s = oof.samples[issue.sample];
    json evidence = {{"p_given", issue.p_given}, {"p_suggested", issue.p_suggested}, {"trials", trials}};
    rows.push_back({s.sample_id, s.group, "class", issue.given_label, issue.suggested_label, 1.0 - issue.quality,
                    Dump(evidence)});
  }
  return rows;
}

absl::StatusOr<std::vector<RelabelCandidate>> VoteRows(const SweepOof& oof, const std::vector<ProbMatrix>& trials) {
  FS_ASSIGN_OR_RETURN(analysis::FoldVotingResult result, analysis::FoldVote(trials, Labels(oof), {}));
  std::vector<RelabelCandidate> rows;
  for (const analysis::LabelIssue& issue : result.issues) {
    const OofSample& s = oof.samples[issue.sample];
    const bool mask_only =
        IsMask(oof) && issue.given_label % kPersonClasses == issue.suggested_label % kPersonClasses;
    json evidence = {{"p_given", issue.p_given},
                     {"p_suggested", issue.p_suggested},
                     {"disagreeing", issue.disagreeing_votes},
                     {"voters", issue.voters},
                     {"summary", absl::StrCat(issue.disagreeing_votes, " of ", issue.voters, " trials disagree")}};
    rows.push_back({s.sample_id, s.group, mask_only ? "mask" : "class", issue.given_label, issue.suggested_label,
                    1.0 - issue.quality, Dump(evidence)});
  }
  return rows;
}

v1::EnsembleSummary Summary(const StoredEnsemble& stored) {
  v1::EnsembleSummary out;
  out.set_ensemble_id(stored.ensemble_id);
  out.set_sweep_id(stored.record.sweep_id);
  out.set_method(stored.record.method);
  out.set_metric(stored.record.metric);
  out.set_score(stored.record.score);
  if (stored.record.nested_score.has_value()) out.set_nested_score(*stored.record.nested_score);
  for (const EnsembleMember& m : stored.record.members) {
    if (m.weight <= 0) continue;  // a composite's part (see MakeRecord)
    v1::EnsembleMemberRow* row = out.add_members();
    row->set_trial_id(m.trial_id);
    row->set_weight(m.weight);
  }
  const json options = json::parse(stored.record.options_json, nullptr, /*allow_exceptions=*/false);
  if (options.is_object() && options.contains(kCompositeMembers) && options[kCompositeMembers].is_array()) {
    for (const json& m : options[kCompositeMembers]) {
      v1::EnsembleMemberRow* row = out.add_members();
      row->set_composite(m.value("composite", ""));
      row->set_weight(m.value("weight", 0.0));
    }
  }
  out.set_options_json(stored.record.options_json);
  out.set_created_unix_ms(stored.created_ms);
  for (int64_t sweep_id : stored.record.sweep_ids) out.add_sweep_ids(sweep_id);
  return out;
}

absl::StatusOr<analysis::EnsembleOptions> ParseOptions(const v1::SelectEnsembleRequest& request) {
  analysis::EnsembleOptions options;
  FS_ASSIGN_OR_RETURN(options.metric,
                      analysis::ParseMetric(request.metric().empty() ? "macro_f1" : request.metric()));
  if (request.method() == "vote") {
    options.method = analysis::EnsembleMethod::kVoteTopK;
  } else if (!request.method().empty() && request.method() != "greedy") {
    return absl::InvalidArgumentError(
        absl::StrCat("ensemble method: expected greedy or vote, got \"", request.method(), "\""));
  }
  if (request.max_members() < 0 || request.bags() < 0 || request.top_k() < 0 || request.init_size() < 0) {
    return absl::InvalidArgumentError("ensemble: max_members, bags, top_k and init_size must not be negative");
  }
  if (request.max_members() > 0) options.max_members = request.max_members();
  // Sorted initialisation with the single best trial unless asked otherwise: the kept prefix then
  // starts from it, so the ensemble's OOF score is never below the best single trial's.
  options.init_size = request.init_size() > 0 ? request.init_size() : 1;
  options.init_size = std::min(options.init_size, options.max_members);
  if (request.top_k() > 0) options.top_k = request.top_k();
  options.bags = request.bags();
  options.seed = request.seed();
  return options;
}

json OptionsJson(const analysis::EnsembleOptions& o, const TrialLibrary& library, const CandidateLibrary& candidates) {
  json composites = json::array();
  for (int c = candidates.trials; c < static_cast<int>(candidates.candidates.size()); ++c) {
    composites.push_back(candidates.candidates[c].composite);
  }
  json out = {{"method", o.method == analysis::EnsembleMethod::kGreedy ? "greedy" : "vote"},
              {"metric", analysis::MetricName(o.metric)},
              {"library", library.trial_ids},
              {"composites", composites},
              {"sweeps", library.sweep_ids}};
  if (o.method == analysis::EnsembleMethod::kGreedy) {
    out.update({{"max_members", o.max_members}, {"init_size", o.init_size}, {"bags", o.bags},
                {"bag_fraction", o.bag_fraction}, {"seed", o.seed}});
  } else {
    out["top_k"] = o.top_k;
  }
  return out;
}

// The samples every trial predicted, so that all members are scored on the same rows.
struct CommonOof {
  std::vector<ProbMatrix> library;  // per candidate, restricted to those samples
  std::vector<int> labels;
  std::vector<int> folds;
  bool mask_task = false;  // the mask task's 18 classes: heads can be scored
};

bool Predicted(const ProbMatrix& m, int i) {
  const float* row = m.row(i);
  return std::any_of(row, row + m.num_classes, [](float p) { return p != 0.0f; });
}

absl::StatusOr<CommonOof> KeepCommonSamples(const std::vector<ProbMatrix>& all, const SweepOof& oof,
                                           const std::string& sweeps) {
  std::vector<int> keep;
  for (size_t i = 0; i < oof.samples.size(); ++i) {
    const int row = static_cast<int>(i);
    if (std::all_of(all.begin(), all.end(), [&](const ProbMatrix& m) { return Predicted(m, row); })) keep.push_back(row);
  }
  if (keep.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(sweeps, ": no sample has an OOF prediction from every completed trial"));
  }
  CommonOof common;
  for (const ProbMatrix& m : all) {
    ProbMatrix kept{static_cast<int>(keep.size()), m.num_classes, {}};
    kept.values.reserve(keep.size() * m.num_classes);
    for (int i : keep) kept.values.insert(kept.values.end(), m.row(i), m.row(i) + m.num_classes);
    common.library.push_back(std::move(kept));
  }
  for (int i : keep) {
    common.labels.push_back(oof.samples[i].label);
    common.folds.push_back(oof.samples[i].fold);
  }
  common.mask_task = IsMask(oof);
  return common;
}

json CandidateJson(const Candidate& c) {
  return c.composite.empty() ? json{{"trial_id", c.trial_id}} : json{{"composite", c.composite}};
}

// The ensemble to store: its own sweep is the first of its members' sweeps. Composite members go
// to its options, their trials to the members table with weight 0.
EnsembleRecord MakeRecord(const TrialLibrary& library, const CandidateLibrary& candidates,
                          const analysis::EnsembleOptions& options, const analysis::EnsembleResult& result,
                          std::optional<double> nested) {
  EnsembleRecord record;
  record.method = options.method == analysis::EnsembleMethod::kGreedy ? "caruana" : "vote";
  record.metric = analysis::MetricName(options.metric);
  record.score = result.score;
  record.nested_score = nested;
  json trace = json::array();
  for (const analysis::SelectionStep& s : result.trace) {
    json step = CandidateJson(candidates.candidates[s.member]);
    step.update({{"bag", s.bag}, {"step", s.step}, {"init", s.init}, {"score", s.score}});
    trace.push_back(step);
  }
  record.trace_json = Dump(trace);
  std::map<int64_t, double> weights;  // trial -> weight (0: a composite's part)
  json composite_members = json::array();
  for (size_t c = 0; c < candidates.candidates.size(); ++c) {
    if (result.weights[c] <= 0) continue;
    const Candidate& candidate = candidates.candidates[c];
    if (candidate.composite.empty()) {
      weights[candidate.trial_id] += result.weights[c];
      continue;
    }
    composite_members.push_back({{"composite", candidate.composite}, {"weight", result.weights[c]}});
    const analysis::CompositeSpec spec = *analysis::ParseCompositeSpec(candidate.composite);
    for (int64_t part : {spec.base, spec.heads[0], spec.heads[1], spec.heads[2]}) {
      if (part != 0) weights.emplace(part, 0.0);
    }
  }
  json options_json = OptionsJson(options, library, candidates);
  options_json[kCompositeMembers] = composite_members;
  record.options_json = Dump(options_json);
  record.sweep_id = 0;
  for (const auto& [trial_id, weight] : weights) {
    record.members.push_back({trial_id, weight});
    const size_t t = std::find(library.trial_ids.begin(), library.trial_ids.end(), trial_id) - library.trial_ids.begin();
    const int64_t sweep_id = library.trial_sweeps[t];
    record.sweep_id = record.sweep_id == 0 ? sweep_id : std::min(record.sweep_id, sweep_id);
  }
  return record;
}

}  // namespace

absl::StatusOr<v1::FindRelabelCandidatesResponse> AnalysisManager::FindRelabelCandidates(
    const v1::FindRelabelCandidatesRequest& request) {
  std::vector<std::string> methods;
  if (request.method().empty() || request.method() == "all") {
    methods = {kConfidentLearning, kFoldVoting};
  } else if (request.method() == kConfidentLearning || request.method() == kFoldVoting) {
    methods = {request.method()};
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "relabel method: expected confident_learning, fold_voting or all, got \"", request.method(), "\""));
  }
  FS_ASSIGN_OR_RETURN(TrialLibrary library, ChooseTrialLibrary(db_, MakeTrialRequest(request.sweep_id(),
                                                                                    request.sweep_ids(),
                                                                                    request.trial_ids())));
  FS_ASSIGN_OR_RETURN(SweepOof oof, LoadLibraryOof(db_, library));
  FS_RETURN_IF_ERROR(KeepFullTrials(oof));
  // Stored under the first sweep: relabel list of that sweep shows them.
  const int64_t sweep_id = library.sweep_ids.front();
  std::vector<ProbMatrix> trials = Matrices(oof);
  FS_ASSIGN_OR_RETURN(ProbMatrix combined, analysis::AverageTrials(trials));

  const int64_t now_ms = clock_.NowMs();
  for (const std::string& method : methods) {
    std::vector<RelabelCandidate> rows;
    if (method == kFoldVoting) {
      FS_ASSIGN_OR_RETURN(rows, VoteRows(oof, trials));
    } else if (IsMask(oof)) {
      FS_ASSIGN_OR_RETURN(rows, MaskRows(oof, combined, static_cast<int>(trials.size())));
    } else {
      FS_ASSIGN_OR_RETURN(rows, ClassRows(oof, combined, static_cast<int>(trials.size())));
    }
    FS_RETURN_IF_ERROR(ReplaceRelabelCandidates(db_, sweep_id, method, rows, now_ms));
  }

  v1::ListRelabelCandidatesRequest list;
  list.set_sweep_id(sweep_id);
  FS_ASSIGN_OR_RETURN(v1::ListRelabelCandidatesResponse listed, review_.ListRelabelCandidates(list));
  v1::FindRelabelCandidatesResponse response;
  response.set_sweep_id(sweep_id);
  response.set_dataset_id(listed.dataset_id());
  for (int64_t id : oof.trial_ids) response.add_trial_ids(id);  // the 18-class ones (KeepFullTrials)
  for (int64_t id : library.sweep_ids) response.add_sweep_ids(id);
  int predicted = 0;
  for (int i = 0; i < combined.num_samples; ++i) {
    const float* row = combined.row(i);
    predicted += std::any_of(row, row + combined.num_classes, [](float p) { return p != 0.0f; });
  }
  response.set_samples(predicted);
  const std::set<std::string> ran(methods.begin(), methods.end());
  for (const std::string& m : methods) response.add_methods(m);
  for (v1::RelabelCandidateRow& row : *listed.mutable_candidates()) {
    if (ran.count(row.method()) > 0) *response.add_candidates() = std::move(row);
  }
  return response;
}

absl::StatusOr<v1::SelectEnsembleResponse> AnalysisManager::SelectEnsemble(const v1::SelectEnsembleRequest& request) {
  FS_ASSIGN_OR_RETURN(analysis::EnsembleOptions options, ParseOptions(request));
  FS_ASSIGN_OR_RETURN(TrialLibrary library, ChooseTrialLibrary(db_, MakeTrialRequest(request.sweep_id(),
                                                                                    request.sweep_ids(),
                                                                                    request.trial_ids())));
  FS_ASSIGN_OR_RETURN(SweepOof oof, LoadLibraryOof(db_, library));
  FS_ASSIGN_OR_RETURN(CandidateLibrary candidates,
                      BuildCandidates(oof, {request.composites().begin(), request.composites().end()}));
  FS_ASSIGN_OR_RETURN(CommonOof common, KeepCommonSamples(candidates.probs, oof, SweepsLabel(library.sweep_ids)));

  FS_ASSIGN_OR_RETURN(analysis::EnsembleResult result, analysis::SelectEnsemble(common.library, common.labels, options));
  std::optional<double> nested;
  if (std::set<int>(common.folds.begin(), common.folds.end()).size() >= 2) {
    FS_ASSIGN_OR_RETURN(analysis::NestedScoreResult nested_result,
                        analysis::NestedScore(common.library, common.labels, common.folds, options));
    nested = nested_result.pooled_score;
  }
  const std::vector<ProbMatrix> trials(common.library.begin(), common.library.begin() + candidates.trials);
  FS_ASSIGN_OR_RETURN(ProbMatrix average, analysis::AverageTrials(trials));
  FS_ASSIGN_OR_RETURN(double average_score, analysis::Score(options.metric, average, common.labels));

  const EnsembleRecord record = MakeRecord(library, candidates, options, result, nested);
  FS_ASSIGN_OR_RETURN(int64_t ensemble_id, InsertEnsemble(db_, record, clock_.NowMs()));
  FS_ASSIGN_OR_RETURN(StoredEnsemble stored, GetEnsemble(db_, ensemble_id));

  v1::SelectEnsembleResponse response;
  *response.mutable_ensemble() = Summary(stored);
  FillSingleScores(candidates, result.single_scores, options.metric, response);
  response.set_samples(static_cast<int32_t>(common.labels.size()));
  response.set_average_score(average_score);
  if (common.mask_task) FS_RETURN_IF_ERROR(FillHeadScores(common.library, common.labels, result, candidates, response));
  return response;
}

absl::StatusOr<v1::ShowEnsembleResponse> AnalysisManager::ShowEnsemble(const v1::ShowEnsembleRequest& request) {
  FS_ASSIGN_OR_RETURN(StoredEnsemble stored, GetEnsemble(db_, request.ensemble_id()));
  v1::ShowEnsembleResponse response;
  *response.mutable_ensemble() = Summary(stored);
  return response;
}

absl::StatusOr<v1::ListEnsemblesResponse> AnalysisManager::ListEnsembles(const v1::ListEnsemblesRequest& request) {
  FS_ASSIGN_OR_RETURN(std::vector<StoredEnsemble> stored, coordinator::ListEnsembles(db_, request.sweep_id()));
  v1::ListEnsemblesResponse response;
  for (const StoredEnsemble& e : stored) *response.add_ensembles() = Summary(e);
  return response;
}

absl::StatusOr<ConfusionMatrix> AnalysisManager::Confusion(int64_t trial_id) {
  FS_ASSIGN_OR_RETURN(std::vector<TrialSplit> splits, LoadTrialSplits(db_, {trial_id}));
  FS_ASSIGN_OR_RETURN(SweepOof oof, LoadSweepOof(db_, splits[0].sweep_id, {trial_id}));
  ConfusionMatrix matrix;
  matrix.trial_id = trial_id;
  matrix.sweep_id = splits[0].sweep_id;
  const int32_t n = oof.num_classes;
  matrix.num_classes = n;
  matrix.class_names = ClassNamesFor(oof.dataset_kind, n);
  matrix.counts.assign(static_cast<size_t>(n) * n, 0);
  const std::vector<float>& probs = oof.probs[0];
  for (size_t i = 0; i < oof.samples.size(); ++i) {
    const float* row = probs.data() + i * n;
    const float* top = std::max_element(row, row + n);  // the first of equal maxima
    if (*top <= 0.0f) continue;  // not predicted: a row of zeros
    const int32_t label = oof.samples[i].label;
    if (label < 0 || label >= n) continue;
    ++matrix.counts[static_cast<size_t>(label) * n + (top - row)];
    ++matrix.samples;
  }
  return matrix;
}

}  // namespace foldstack::coordinator
