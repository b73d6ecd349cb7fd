// The quality figures of issue 5, from files a real run left behind (tests/bench/run_oof_quality.sh):
//   oof_quality_report mask CANDIDATES.json LABEL_NOISE.csv
//       per error kind: precision / recall of `relabel find --json`'s confident-learning candidates
//       (the mask-structured ones) against data synth's label_noise.csv
//   oof_quality_report flips CANDIDATES.json LABEL_NOISE.csv
//       per method: precision / recall of the flagged samples against data flip-labels' flips
//   oof_quality_report heldout ANSWERS.csv NAME=SUBMISSION.csv ...
//       accuracy and macro-F1 of each submission against the hidden answers
// Prints markdown table rows; exits 1 with a one-line message on bad input.
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "coordinator/analysis/metrics.h"
#include "coordinator/analysis/relabel_quality.h"
#include "data/label_flips.h"
#include "nlohmann/json.hpp"

namespace foldstack::bench {
namespace {

using analysis::DetectionQuality;
using nlohmann::json;

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `relabel find --json`'s candidates.
absl::StatusOr<json> ReadCandidates(const std::string& path) {
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.contains("candidates") || !parsed["candidates"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected relabel find --json output with \"candidates\""));
  }
  return parsed["candidates"];
}

// The candidates of `relabel find --json` and the text of a label_noise.csv.
absl::Status ReadInputs(const std::string& candidates_path, const std::string& noise_path, json* candidates,
                        std::string* noise_text) {
  absl::StatusOr<json> read = ReadCandidates(candidates_path);
  if (!read.ok()) return read.status();
  *candidates = std::move(*read);
  absl::StatusOr<std::string> text = ReadText(noise_path);
  if (!text.ok()) return text.status();
  *noise_text = std::move(*text);
  return absl::OkStatus();
}

void PrintQualityRow(const std::string& label, const DetectionQuality& q) {
  std::cout << absl::StrFormat("| %s | %d | %d | %d | %.2f | %.2f |\n", label, q.planted, q.flagged, q.correct,
                               q.precision, q.recall);
}

void PrintQualityHeader(const std::string& first) {
  std::cout << "| " << first << " | planted | flagged | correct | precision | recall |\n|---|---|---|---|---|---|\n";
}

absl::Status Mask(const std::string& candidates_path, const std::string& noise_path) {
  json candidates;
  std::string noise_text;
  if (auto s = ReadInputs(candidates_path, noise_path, &candidates, &noise_text); !s.ok()) return s;
  absl::StatusOr<std::vector<analysis::PlantedError>> planted = analysis::ParseLabelNoiseCsv(noise_text);
  if (!planted.ok()) return planted.status();
  const std::map<std::string, analysis::MaskIssueKind> kinds = {{"mask", analysis::MaskIssueKind::kMask},
                                                                {"mask_swap", analysis::MaskIssueKind::kMaskSwap},
                                                                {"gender", analysis::MaskIssueKind::kGender},
                                                                {"age", analysis::MaskIssueKind::kAge}};
  std::vector<analysis::MaskCandidate> found;
  for (const json& c : candidates) {
    if (c.value("method", "") != "confident_learning") continue;
    auto kind = kinds.find(c.value("kind", ""));
    if (kind == kinds.end()) continue;
    analysis::MaskCandidate candidate;
    candidate.kind = kind->second;
    candidate.person = c.value("person", "");
    found.push_back(candidate);
  }
  PrintQualityHeader("error kind (synth, confident learning)");
  for (const DetectionQuality& q : analysis::MaskCandidateQuality(found, *planted)) PrintQualityRow(q.kind, q);
  return absl::OkStatus();
}

absl::Status Flips(const std::string& candidates_path, const std::string& noise_path) {
  json candidates;
  std::string noise_text;
  if (auto s = ReadInputs(candidates_path, noise_path, &candidates, &noise_text); !s.ok()) return s;
  absl::StatusOr<std::vector<data::LabelFlip>> flips = data::ParseLabelFlipsCsv(noise_text);
  if (!flips.ok()) return flips.status();
  std::vector<int> flipped;
  for (const data::LabelFlip& f : *flips) flipped.push_back(static_cast<int>(f.index));
  std::map<std::string, std::vector<int>> flagged;  // method -> samples
  for (const json& c : candidates) {
    absl::string_view key = c.value("sample_key", "");
    int index = 0;
    if (!absl::ConsumePrefix(&key, "train/") || !absl::SimpleAtoi(key, &index)) {
      return absl::InvalidArgumentError(absl::StrCat(candidates_path, ": sample_key \"", c.value("sample_key", ""),
                                                     "\", expected train/<index> (a fashion_mnist sweep)"));
    }
    flagged[c.value("method", "")].push_back(index);
    flagged["either method"].push_back(index);
  }
  PrintQualityHeader("method (Fashion-MNIST flips)");
  for (const char* method : {"confident_learning", "fold_voting", "either method"}) {
    PrintQualityRow(method, analysis::SampleQuality(flagged[method], flipped));
  }
  return absl::OkStatus();
}

// ImageID -> class of an `ImageID,ans` CSV, and the ids in row order.
absl::Status ReadAnswers(const std::string& path, std::map<std::string, int>* ans, std::vector<std::string>* order) {
  absl::StatusOr<std::string> text = ReadText(path);
  if (!text.ok()) return text.status();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    line = absl::StripSuffix(line, "\r");
    if (line_number == 1 || line.empty()) continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    int value = 0;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &value) || !ans->emplace(fields[0], value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": \"", line, "\", expected ImageID,ans with each ImageID once"));
    }
    order->push_back(fields[0]);
  }
  return absl::OkStatus();
}

absl::Status Heldout(const std::string& answers_path, const std::vector<std::string>& named) {
  std::map<std::string, int> truth;
  std::vector<std::string> ids;
  if (auto s = ReadAnswers(answers_path, &truth, &ids); !s.ok()) return s;
  std::cout << "| eval set (" << ids.size() << " photos) | accuracy | macro-F1 |\n|---|---|---|\n";
  for (const std::string& entry : named) {
    std::vector<std::string> name_path = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (name_path.size() != 2) return absl::InvalidArgumentError(absl::StrCat("\"", entry, "\": expected NAME=FILE"));
    std::map<std::string, int> predicted;
    std::vector<std::string> order;
    if (auto s = ReadAnswers(name_path[1], &predicted, &order); !s.ok()) return s;
    if (order != ids) {
      return absl::InvalidArgumentError(
          absl::StrCat(name_path[1], ": ImageIDs differ from ", answers_path, "'s (same rows, same order expected)"));
    }
    int num_classes = 1;
    for (const auto& [id, c] : truth) num_classes = std::max({num_classes, c + 1, predicted[id] + 1});
    std::vector<int> tp(num_classes, 0), pred(num_classes, 0), actual(num_classes, 0);
    int right = 0;
    for (const std::string& id : ids) {
      const int t = truth[id], p = predicted[id];
      ++actual[t];
      ++pred[p];
      if (t == p) ++tp[t], ++right;
    }
    const double f1 = analysis::MacroF1FromCounts(tp.data(), pred.data(), actual.data(), num_classes);
    std::cout << absl::StrFormat("| %s | %.3f | %.3f |\n", name_path[0], 1.0 * right / ids.size(), f1);
  }
  return absl::OkStatus();
}

int Main(const std::vector<std::string>& args) {
  absl::Status status = absl::InvalidArgumentError(
      "usage: oof_quality_report mask|flips CANDIDATES.json LABEL_NOISE.csv | heldout ANSWERS.csv NAME=FILE...");
  if (args.size() == 3 && args[0] == "mask") status = Mask(args[1], args[2]);
  if (args.size() == 3 && args[0] == "flips") status = Flips(args[1], args[2]);
  if (args.size() >= 3 && args[0] == "heldout") status = Heldout(args[1], {args.begin() + 2, args.end()});
  if (!status.ok()) {
    std::cerr << "oof_quality_report: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace foldstack::bench

int main(int argc, char** argv) { return foldstack::bench::Main({argv + 1, argv + argc}); }
