#include "cli/relabel_commands.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/analysis_commands.h"
#include "cli/coordinator_call.h"
#include "cli/decisions_csv.h"
#include "cli/render.h"
#include "cli/table.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_FLAG(std::string, label, "", "relabel accept/reject: class index or name (wear/male/<30; a person: male/30-59)");
ABSL_FLAG(std::string, note, "", "relabel accept/reject: why");
ABSL_FLAG(std::string, dataset, "", "relabel: dataset id or root folder");
ABSL_FLAG(int, label_version, -1, "relabel export: label version (given as --version N; default latest)");
ABSL_FLAG(std::string, moves, "", "relabel export: where to write the moves list (default OUT_moves.csv)");

namespace foldstack::cli {
namespace {

using foldstack::v1::Coordinator;

// --dataset as the coordinator stores it: an id, or an absolute normalised root folder.
std::string DatasetFlag() {
  const std::string value = absl::GetFlag(FLAGS_dataset);
  int64_t id = 0;
  if (value.empty() || absl::SimpleAtoi(value, &id)) return value;
  std::filesystem::path root = std::filesystem::absolute(value).lexically_normal();
  if (!root.has_filename() && root.has_parent_path()) root = root.parent_path();  // "data/"
  return root.string();
}

std::string Summary(const v1::ReviewLabelsResponse& r) {
  std::string out;
  for (const v1::ReviewedTarget& t : r.reviewed()) {
    absl::StrAppend(&out, t.decision() == "accept" ? "accepted " : "rejected ", t.target(), " (", t.samples(),
                    t.samples() == 1 ? " sample" : " samples", ") as ", t.label_name(), "\n");
  }
  absl::StrAppend(&out, "dataset ", r.dataset_id(), ": label version ", r.label_version(),
                  r.new_version() ? " (new)" : " (unchanged: nothing accepted)", "\n");
  return out;
}

int Review(const std::string& decision, const std::string& target) {
  v1::ReviewLabelsRequest request;
  request.set_dataset(DatasetFlag());
  v1::LabelDecision* d = request.add_decisions();
  d->set_target(target);
  d->set_decision(decision);
  d->set_label(absl::GetFlag(FLAGS_label));
  d->set_note(absl::GetFlag(FLAGS_note));
  v1::ReviewLabelsResponse response;
  if (int rc = Call(&Coordinator::Stub::ReviewLabels, request, &response); rc != 0) return rc;
  return Print(response, Summary(response));
}

int Apply(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(absl::StrCat(path, ": cannot read the decisions file"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<v1::LabelDecision>> rows = ParseDecisionsCsv(path, text.str());
  if (!rows.ok()) return Fail(std::string(rows.status().message()));
  v1::ReviewLabelsRequest request;
  request.set_dataset(DatasetFlag());
  request.set_file_name(path);
  for (v1::LabelDecision& row : *rows) *request.add_decisions() = std::move(row);
  v1::ReviewLabelsResponse response;
  if (int rc = Call(&Coordinator::Stub::ReviewLabels, request, &response); rc != 0) return rc;
  return Print(response, Summary(response));
}

int List(int64_t sweep_id) {
  v1::ListRelabelCandidatesRequest request;
  request.set_sweep_id(sweep_id);
  v1::ListRelabelCandidatesResponse response;
  if (int rc = Call(&Coordinator::Stub::ListRelabelCandidates, request, &response); rc != 0) return rc;
  Table table({"ID", "TARGET", "KIND", "GIVEN", "SUGGESTED", "SCORE", "METHOD", "STATUS"});
  for (const v1::RelabelCandidateRow& c : response.candidates()) {
    table.AddRow({absl::StrCat(c.candidate_id()), c.sample_key().empty() ? c.person() : c.sample_key(), c.kind(),
                  c.given_name(), c.suggested_name(), FormatFixed(c.score(), 3), c.method(), c.review_status()});
  }
  return Print(response, response.candidates().empty()
                             ? absl::StrCat("sweep ", sweep_id, ": no relabel candidates (run relabel find)\n")
                             : table.Render());
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

int Export() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty() || absl::GetFlag(FLAGS_dataset).empty()) {
    return Fail("relabel export: --dataset ID|ROOT and --out FILE are required");
  }
  std::filesystem::path moves_path = absl::GetFlag(FLAGS_moves);
  if (moves_path.empty()) {
    moves_path = std::filesystem::path(out).parent_path() /
                 absl::StrCat(std::filesystem::path(out).stem().string(), "_moves.csv");
  }
  v1::ExportLabelsRequest request;
  request.set_dataset(DatasetFlag());
  if (absl::GetFlag(FLAGS_label_version) >= 0) request.set_label_version(absl::GetFlag(FLAGS_label_version));
  v1::ExportLabelsResponse response;
  if (int rc = Call(&Coordinator::Stub::ExportLabels, request, &response); rc != 0) return rc;
  std::string moves = "from,to\n";
  for (const v1::FileMove& m : response.moves()) absl::StrAppend(&moves, CsvField(m.from()), ",", CsvField(m.to()), "\n");
  if (!WriteFile(out, response.csv())) return Fail(absl::StrCat(out, ": cannot write"));
  if (!WriteFile(moves_path.string(), moves)) return Fail(absl::StrCat(moves_path.string(), ": cannot write"));
  return Print(response, absl::StrCat("wrote ", out, " (dataset ", response.dataset_id(), ", label version ",
                                      response.label_version(), ": ", response.changed_samples(),
                                      " samples differ from the original) and ", moves_path.string(), " (",
                                      response.moves_size(), " moves relative to the dataset root; nothing moved)\n"));
}

}  // namespace

const char kRelabelUsage[] =
    "  relabel find (SWEEP_ID [--trials 1,2] | --sweeps 3,4 | --trials 7,12) [--method confident_learning|fold_voting|all]\n"
    "                           flag likely wrong labels from the trials' out-of-fold predictions; across\n"
    "                           sweeps every trial must be on the same split (stored under the first sweep)\n"
    "  relabel list SWEEP_ID    relabel candidates with their review status\n"
    "  relabel accept|reject SAMPLE_OR_PERSON [--label L] [--note \"...\"] [--dataset ID|ROOT]\n"
    "                           decide one candidate (accept without --label takes its suggestion)\n"
    "  relabel apply FILE.csv   decide in bulk (columns target,decision,label,note; all or nothing)\n"
    "  relabel export --dataset ID|ROOT --out train.csv [--version N] [--moves FILE]\n"
    "                           the corrected train.csv and the file moves it implies\n";

std::vector<std::string> RenameRelabelFlags(std::vector<std::string> args) {
  if (args.size() < 2 || args[1] != "relabel") return args;
  for (size_t i = 2; i < args.size(); ++i) {
    for (const std::string prefix : {"--version", "-version"}) {
      if (absl::StartsWith(args[i], prefix) && (args[i].size() == prefix.size() || args[i][prefix.size()] == '=')) {
        args[i] = absl::StrCat("--label_version", args[i].substr(prefix.size()));
      }
    }
  }
  return args;
}

int RunRelabel(const std::vector<std::string>& args) {
  const std::string sub = args.size() > 2 ? args[2] : "";
  int64_t sweep_id = 0;
  if (sub == "list" && args.size() == 4 && absl::SimpleAtoi(args[3], &sweep_id) && sweep_id > 0) return List(sweep_id);
  if ((sub == "accept" || sub == "reject") && args.size() == 4) return Review(sub, args[3]);
  if (sub == "apply" && args.size() == 4) return Apply(args[3]);
  if (sub == "export" && args.size() == 3) return Export();
  if (sub == "find" && args.size() <= 4) return RunRelabelFind(std::vector<std::string>(args.begin() + 3, args.end()));
  std::cerr << "usage: foldstack relabel ...\n" << kRelabelUsage;
  return 2;
}

}  // namespace foldstack::cli
