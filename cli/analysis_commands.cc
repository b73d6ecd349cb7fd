#include "cli/analysis_commands.h"

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/analysis_args.h"
#include "cli/coordinator_call.h"
#include "cli/table.h"
#include "nlohmann/json.hpp"

ABSL_DECLARE_FLAG(uint64_t, seed);
ABSL_FLAG(std::string, trials, "",
          "relabel find, ensemble select: trial ids to combine (ID,ID...; default all completed); without "
          "SWEEP_ID they may come from several sweeps on one split");
ABSL_FLAG(std::string, sweeps, "",
          "relabel find, ensemble select: every completed trial of these sweeps (ID,ID...), all on one split");
ABSL_FLAG(int64_t, sweep, 0, "ensemble list: the sweep (as ensemble list SWEEP_ID)");
ABSL_FLAG(std::string, method, "",
          "relabel find: confident_learning|fold_voting|all (default all); ensemble select: greedy|vote");
ABSL_FLAG(std::string, metric, "macro_f1", "ensemble select: macro_f1|log_loss");
ABSL_FLAG(int, max_members, 50, "ensemble select: greedy slots with repeats, initial ones included");
ABSL_FLAG(int, init_size, 1, "ensemble select: sorted initialisation with the N best single trials");
ABSL_FLAG(int, bagging, 0, "ensemble select: bags over half the library (0: no bagging)");
ABSL_FLAG(int, top, 5, "ensemble select --method vote: the K best single trials, equal weights");
ABSL_FLAG(std::string, composite, "",
          "ensemble select: composite candidates (\"base=12,age=31;...\"; default every 18-class trial with each "
          "head trial's head; none: no composites); predict: composite members of weight 1");

namespace foldstack::cli {
namespace {

using foldstack::v1::Coordinator;

// One line of a candidate's evidence: its summary, else the probabilities.
std::string EvidenceText(const std::string& evidence_json) {
  const nlohmann::json evidence = nlohmann::json::parse(evidence_json, nullptr, /*allow_exceptions=*/false);
  if (!evidence.is_object()) return evidence_json;
  std::string out;
  if (evidence.contains("summary") && evidence["summary"].is_string()) out = evidence["summary"].get<std::string>();
  if (evidence.contains("p_given") && evidence["p_given"].is_number()) {
    absl::StrAppend(&out, out.empty() ? "" : "; ", "p(given) ", FormatFixed(evidence["p_given"].get<double>(), 2),
                    " vs p(suggested) ", FormatFixed(evidence.value("p_suggested", 0.0), 2));
  }
  return out;
}

std::string MetricLabel(const std::string& metric) { return metric == "macro_f1" ? "macro-F1" : "log loss"; }

// A member: its trial id, or its composite in brackets.
std::string MemberName(const v1::EnsembleMemberRow& m) {
  return m.composite().empty() ? absl::StrCat(m.trial_id()) : absl::StrCat("[", m.composite(), "]");
}

std::string Members(const v1::EnsembleSummary& e) {
  std::vector<std::string> parts;
  for (const v1::EnsembleMemberRow& m : e.members()) parts.push_back(absl::StrCat(MemberName(m), ":", FormatFixed(m.weight(), 3)));
  return absl::StrJoin(parts, ",");
}

// Each head's macro-F1 and accuracy for the ensemble, the best single trial and the best composite.
std::string HeadTable(const v1::SelectEnsembleResponse& r) {
  if (r.ensemble_heads().empty()) return "";
  Table table({"", "MASK F1", "MASK ACC", "GENDER F1", "GENDER ACC", "AGE F1", "AGE ACC"});
  auto add = [&table](const std::string& name, const google::protobuf::RepeatedPtrField<v1::HeadScore>& heads) {
    if (heads.empty()) return;
    std::vector<std::string> row = {name};
    for (const v1::HeadScore& h : heads) {
      row.push_back(FormatFixed(h.macro_f1(), 4));
      row.push_back(FormatFixed(h.accuracy(), 4));
    }
    table.AddRow(row);
  };
  add("ensemble", r.ensemble_heads());
  add(absl::StrCat("best single (trial ", r.best_single_trial_id(), ")"), r.best_single_heads());
  add(absl::StrCat("best composite (", r.best_composite(), ")"), r.best_composite_heads());
  return table.Render();
}

std::string EnsembleTable(const v1::ListEnsemblesResponse& listed) {
  Table table({"ID", "SWEEPS", "METHOD", "METRIC", "SCORE", "NESTED", "MEMBERS (TRIAL:WEIGHT)"});
  for (const v1::EnsembleSummary& e : listed.ensembles()) {
    const std::string sweeps = e.sweep_ids().empty() ? absl::StrCat(e.sweep_id()) : absl::StrJoin(e.sweep_ids(), ",");
    table.AddRow({absl::StrCat(e.ensemble_id()), sweeps, e.method(), e.metric(), FormatFixed(e.score(), 4),
                  e.has_nested_score() ? FormatFixed(e.nested_score(), 4) : "-", Members(e)});
  }
  return table.Render();
}

// The sweeps and trials named on the command line: SWEEP_ID, --sweeps, --trials.
absl::StatusOr<AnalysisTarget> Target(const std::vector<std::string>& positional) {
  return ParseAnalysisTarget(positional, absl::GetFlag(FLAGS_sweeps), absl::GetFlag(FLAGS_trials));
}

int Select(const std::vector<std::string>& positional) {
  absl::StatusOr<AnalysisTarget> target = Target(positional);
  if (!target.ok()) return Fail(std::string(target.status().message()));
  v1::SelectEnsembleRequest request;
  SetTarget(*target, &request);
  request.set_metric(absl::GetFlag(FLAGS_metric));
  request.set_method(absl::GetFlag(FLAGS_method));
  request.set_max_members(absl::GetFlag(FLAGS_max_members));
  request.set_init_size(absl::GetFlag(FLAGS_init_size));
  request.set_bags(absl::GetFlag(FLAGS_bagging));
  request.set_top_k(absl::GetFlag(FLAGS_top));
  request.set_seed(absl::GetFlag(FLAGS_seed));
  for (absl::string_view spec : absl::StrSplit(absl::GetFlag(FLAGS_composite), ';', absl::SkipWhitespace())) {
    request.add_composites(std::string(absl::StripAsciiWhitespace(spec)));
  }
  v1::SelectEnsembleResponse response;
  if (int rc = Call(&Coordinator::Stub::SelectEnsemble, request, &response); rc != 0) return rc;
  const v1::EnsembleSummary& e = response.ensemble();
  Table table({"MEMBER", "WEIGHT", absl::StrCat("SINGLE ", MetricLabel(e.metric()))});
  for (const v1::EnsembleMemberRow& m : e.members()) {
    table.AddRow({MemberName(m), FormatFixed(m.weight(), 3), FormatFixed(m.single_score(), 4)});
  }
  const std::string composites =
      response.composites() > 0 ? absl::StrCat(" and ", response.composites(), " composites") : "";
  return Print(response, absl::StrCat("ensemble ", e.ensemble_id(), " (", e.method(), ") of ",
                                      SweepsText(e.sweep_ids()), ": ",
                                      e.members_size(), " of ", response.library_size(), " completed trials",
                                      composites, ", ", response.samples(), " OOF samples\n", table.Render(),
                                      EnsembleScoreLine(response), "\n", HeadTable(response)));
}

int Show(int64_t ensemble_id) {
  v1::ShowEnsembleRequest request;
  request.set_ensemble_id(ensemble_id);
  v1::ShowEnsembleResponse response;
  if (int rc = Call(&Coordinator::Stub::ShowEnsemble, request, &response); rc != 0) return rc;
  v1::ListEnsemblesResponse one;
  *one.add_ensembles() = response.ensemble();
  return Print(response, EnsembleTable(one));
}

int List(int64_t sweep_id) {
  v1::ListEnsemblesRequest request;
  request.set_sweep_id(sweep_id);
  v1::ListEnsemblesResponse response;
  if (int rc = Call(&Coordinator::Stub::ListEnsembles, request, &response); rc != 0) return rc;
  return Print(response, response.ensembles().empty()
                             ? absl::StrCat("sweep ", sweep_id, ": no ensembles (run ensemble select)\n")
                             : EnsembleTable(response));
}

}  // namespace

const char kEnsembleUsage[] =
    "  ensemble select (SWEEP_ID [--trials 1,2] | --sweeps 3,4 | --trials 7,12) [--metric macro_f1|log_loss]\n"
    "                  [--max-members M] [--init-size N] [--bagging B] [--seed S] [--method vote --top K]\n"
    "                  [--composite \"base=12,age=31;...\" | --composite none]   composites of head models as candidates\n"
    "                           select an ensemble of completed trials from their out-of-fold predictions;\n"
    "                           across sweeps every trial must be on the same split (dataset, labels, k, seed)\n"
    "  ensemble list SWEEP_ID (or --sweep N: cross-sweep ensembles that include it too) | ensemble show ENSEMBLE_ID\n"
    "  predict --ensemble ID --eval ROOT --out submission.csv --wait   a submission from an ensemble\n";

std::string EnsembleScoreLine(const v1::SelectEnsembleResponse& selected) {
  const v1::EnsembleSummary& e = selected.ensemble();
  return absl::StrCat("OOF ", MetricLabel(e.metric()), " ", FormatFixed(e.score(), 4), " (nested ",
                      e.has_nested_score() ? FormatFixed(e.nested_score(), 4) : "n/a", "; best single ",
                      FormatFixed(selected.best_single_score(), 4), ", trial ", selected.best_single_trial_id(),
                      selected.best_composite().empty()
                          ? ""
                          : absl::StrCat("; best composite ", FormatFixed(selected.best_composite_score(), 4), ", ",
                                         selected.best_composite()),
                      "; average of all ", FormatFixed(selected.average_score(), 4), ")");
}

int RunRelabelFind(const std::vector<std::string>& positional) {
  absl::StatusOr<AnalysisTarget> target = Target(positional);
  if (!target.ok()) return Fail(std::string(target.status().message()));
  v1::FindRelabelCandidatesRequest request;
  SetTarget(*target, &request);
  request.set_method(absl::GetFlag(FLAGS_method));
  v1::FindRelabelCandidatesResponse response;
  if (int rc = Call(&Coordinator::Stub::FindRelabelCandidates, request, &response); rc != 0) return rc;
  Table table({"TARGET", "KIND", "GIVEN -> SUGGESTED", "SCORE", "METHOD", "EVIDENCE"});
  for (const v1::RelabelCandidateRow& c : response.candidates()) {
    table.AddRow({c.sample_key().empty() ? c.person() : c.sample_key(), c.kind(),
                  absl::StrCat(c.given_name(), " -> ", c.suggested_name()), FormatFixed(c.score(), 3), c.method(),
                  EvidenceText(c.evidence_json())});
  }
  const std::string where = response.sweep_ids_size() > 1
                                ? absl::StrCat(SweepsText(response.sweep_ids()), " (stored under sweep ",
                                               response.sweep_id(), ")")
                                : absl::StrCat("sweep ", response.sweep_id());
  return Print(response, absl::StrCat(where, ": ", response.candidates_size(),
                                      " relabel candidates from the OOF probabilities of trials ",
                                      absl::StrJoin(response.trial_ids(), ","), " (", response.samples(),
                                      " samples; score: higher = more likely wrong)\n",
                                      response.candidates().empty() ? "" : table.Render(),
                                      "review with foldstack relabel accept|reject|apply\n"));
}

int RunEnsemble(const std::vector<std::string>& args) {
  const std::string sub = args.size() > 2 ? args[2] : "";
  if (sub == "select" && args.size() <= 4) return Select(std::vector<std::string>(args.begin() + 3, args.end()));
  int64_t id = 0;
  if (sub == "list" && args.size() == 3 && absl::GetFlag(FLAGS_sweep) > 0) return List(absl::GetFlag(FLAGS_sweep));
  if (args.size() == 4 && absl::SimpleAtoi(args[3], &id) && id > 0) {
    if (sub == "list") return List(id);
    if (sub == "show") return Show(id);
  }
  std::cerr << "usage: foldstack ensemble ...\n" << kEnsembleUsage;
  return 2;
}

}  // namespace foldstack::cli
