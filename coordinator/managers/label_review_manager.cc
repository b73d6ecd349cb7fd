#include "coordinator/managers/label_review_manager.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/managers/label_names.h"
#include "coordinator/managers/mask_export.h"
#include "coordinator/store/label_store.h"
#include "coordinator/store/relabel_candidate_store.h"
#include "common/status_macros.h"
#include "data/mask_index.h"
#include "data/mask_labels.h"

namespace foldstack::coordinator {
namespace {

constexpr int kPersonClasses = 6;  // the gender x age part of a mask class

bool IsMask(const DatasetInfo& d) { return d.kind == "mask" && d.num_classes == data::kMaskNumClasses; }

// What a decision names: one sample, or every photo of a mask-task person.
struct Target {
  std::string name;  // full sample key, or the person
  bool person = false;
  std::vector<size_t> indices;
};

// Checks decisions one by one against the labels as the earlier decisions of the batch leave
// them, and collects the rows to store.
class BatchBuilder {
 public:
  BatchBuilder(SqliteDb& db, DatasetInfo dataset, std::vector<LabelledSample> samples,
               std::string file_name)
      : db_(db), dataset_(std::move(dataset)), samples_(std::move(samples)),
        file_(std::move(file_name)), names_(ClassNamesFor(dataset_.kind, dataset_.num_classes)) {
    for (size_t i = 0; i < samples_.size(); ++i) {
      by_key_[samples_[i].key] = i;
      by_person_[samples_[i].group].push_back(i);
      working_.push_back(samples_[i].label);
    }
  }

  absl::Status Add(const v1::LabelDecision& d, std::vector<LabelDecisionRow>* rows,
                   v1::ReviewLabelsResponse* response) {
    const std::string decision = absl::AsciiStrToLower(absl::StripAsciiWhitespace(d.decision()));
    if (decision != "accept" && decision != "reject") {
      return Error(d, "decision", absl::StrCat("\"", d.decision(), "\": expected accept or reject"));
    }
    FS_ASSIGN_OR_RETURN(Target target, Resolve(d));
    if (auto [it, fresh] = decided_in_row_.emplace(target.name, d.row()); !fresh) {
      return Error(d, "target", absl::StrCat("\"", target.name, "\" is already decided in row ", it->second));
    }
    FS_ASSIGN_OR_RETURN(int32_t label, Label(d, target));
    const bool accept = decision == "accept";
    for (size_t i : target.indices) {
      // Only an accept changes a label; a reject records the refused one, whatever it is (fold voting
      // may suggest a class that changes one photo's gender or age, and it must be refusable).
      if (accept && IsMask(dataset_) && !target.person && label % kPersonClasses != working_[i] % kPersonClasses) {
        return Error(d, "label", absl::StrCat("\"", names_[label], "\" changes the gender/age of one photo; ",
                                              "decide the person ", samples_[i].group, " instead"));
      }
      const int32_t new_label =
          target.person ? working_[i] / kPersonClasses * kPersonClasses + label : label;
      rows->push_back({target.name, samples_[i].sample_id, new_label, accept, d.note()});
      if (accept) working_[i] = new_label;
    }
    v1::ReviewedTarget* reviewed = response->add_reviewed();
    reviewed->set_target(target.name);
    reviewed->set_decision(decision);
    reviewed->set_samples(static_cast<int32_t>(target.indices.size()));
    reviewed->set_label(label);
    reviewed->set_label_name(target.person ? PersonLabelName(label) : names_[label]);
    return absl::OkStatus();
  }

 private:
  // "FILE: row N: column C: MESSAGE" for a CSV row; "--label: MESSAGE" (or just MESSAGE) for one
  // decision typed on the command line.
  absl::Status Error(const v1::LabelDecision& d, const std::string& column, const std::string& message) const {
    if (!file_.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ": row ", d.row(), ": column ", column, ": ", message));
    }
    return absl::InvalidArgumentError(column == "label" ? absl::StrCat("--label: ", message) : message);
  }

  absl::StatusOr<Target> Resolve(const v1::LabelDecision& d) const {
    const std::string name(absl::StripAsciiWhitespace(d.target()));
    for (const std::string& key : {name, absl::StrCat("train/", name), absl::StrCat("train/images/", name)}) {
      if (auto it = by_key_.find(key); it != by_key_.end()) return Target{key, false, {it->second}};
    }
    if (auto it = by_person_.find(name); IsMask(dataset_) && it != by_person_.end()) {
      return Target{name, true, it->second};
    }
    return Error(d, "target", absl::StrCat("no sample or person \"", name, "\" in dataset ", dataset_.id, " (",
                                           dataset_.root, ")"));
  }

  absl::StatusOr<int32_t> Label(const v1::LabelDecision& d, const Target& target) const {
    if (!absl::StripAsciiWhitespace(d.label()).empty()) {
      absl::StatusOr<int32_t> label = target.person ? ParsePersonLabel(d.label()) : ParseClassLabel(d.label(), names_);
      if (!label.ok()) return Error(d, "label", std::string(label.status().message()));
      return *label;
    }
    FS_ASSIGN_OR_RETURN(std::vector<StoredRelabelCandidate> pending,
                        PendingCandidatesFor(db_, dataset_.id, target.name));
    if (pending.empty()) {
      return Error(d, "label", absl::StrCat("empty, and \"", target.name,
                                            "\" has no pending relabel candidate to take it from"));
    }
    const int32_t suggested = pending[0].candidate.suggested_label;
    return target.person ? suggested % kPersonClasses : suggested;
  }

  SqliteDb& db_;
  const DatasetInfo dataset_;
  const std::vector<LabelledSample> samples_;
  const std::string file_;
  const std::vector<std::string> names_;
  std::map<std::string, size_t> by_key_;
  std::map<std::string, std::vector<size_t>> by_person_;
  std::map<std::string, int32_t> decided_in_row_;
  std::vector<int32_t> working_;  // labels after the batch's earlier accepts
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<DatasetInfo> LabelReviewManager::ResolveDataset(const std::string& name,
                                                               const std::string& target) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name, &id)) {
    FS_ASSIGN_OR_RETURN(DatasetInfo dataset, GetDataset(db_, id));
    if (dataset.base_dataset_id != 0) return GetDataset(db_, dataset.base_dataset_id);
    return dataset;
  }
  if (!name.empty()) {
    FS_ASSIGN_OR_RETURN(std::vector<DatasetInfo> found, BaseDatasetsWithRoot(db_, name));
    if (found.empty()) {
      return absl::NotFoundError(absl::StrCat("no dataset stored with root ", name,
                                              " (datasets are stored when a sweep is submitted)"));
    }
    return found[0];  // the newest: the files as they were last submitted
  }
  if (target.empty()) return absl::InvalidArgumentError("name the dataset: --dataset ID or ROOT");
  FS_ASSIGN_OR_RETURN(std::vector<DatasetInfo> found, BaseDatasetsNaming(db_, target));
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat("no stored dataset has a sample or person \"", target, "\""));
  }
  if (found.size() > 1) {
    std::vector<int64_t> ids;
    for (const DatasetInfo& d : found) ids.push_back(d.id);
    return absl::InvalidArgumentError(absl::StrCat("\"", target, "\" is in datasets ", absl::StrJoin(ids, ", "),
                                                   "; name one with --dataset"));
  }
  return found[0];
}

absl::StatusOr<v1::ReviewLabelsResponse> LabelReviewManager::ReviewLabels(const v1::ReviewLabelsRequest& request,
                                                                          const std::string& caller) {
  if (request.decisions().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(request.file_name().empty() ? "relabel" : request.file_name(),
                                                   ": no decisions"));
  }
  FS_ASSIGN_OR_RETURN(DatasetInfo dataset, ResolveDataset(request.dataset(), request.decisions(0).target()));
  FS_ASSIGN_OR_RETURN(int32_t latest, LatestLabelVersion(db_, dataset.id));
  FS_ASSIGN_OR_RETURN(std::vector<LabelledSample> samples, LoadLabels(db_, dataset.id, latest));

  v1::ReviewLabelsResponse response;
  LabelDecisionBatch batch{dataset.id, latest, caller, "", {}};
  BatchBuilder builder(db_, dataset, std::move(samples), request.file_name());
  for (const v1::LabelDecision& decision : request.decisions()) {
    FS_RETURN_IF_ERROR(builder.Add(decision, &batch.rows, &response));
  }
  batch.version_note = request.file_name().empty()
                           ? absl::StrCat("relabel ", response.reviewed(0).decision(), " ", response.reviewed(0).target())
                           : absl::StrCat("relabel apply ", request.file_name(), " (", request.decisions_size(), " rows)");
  FS_ASSIGN_OR_RETURN(RecordedDecisions recorded, RecordLabelDecisions(db_, batch, clock_.NowMs()));
  response.set_dataset_id(dataset.id);
  response.set_label_version(recorded.label_version);
  response.set_new_version(recorded.new_version);
  return response;
}

absl::StatusOr<v1::ListRelabelCandidatesResponse> LabelReviewManager::ListRelabelCandidates(
    const v1::ListRelabelCandidatesRequest& request) {
  FS_ASSIGN_OR_RETURN(std::vector<StoredRelabelCandidate> rows,
                      coordinator::ListRelabelCandidates(db_, request.sweep_id()));
  v1::ListRelabelCandidatesResponse response;
  response.set_sweep_id(request.sweep_id());
  if (rows.empty()) return response;
  FS_ASSIGN_OR_RETURN(DatasetInfo dataset, GetDataset(db_, rows[0].dataset_id));
  response.set_dataset_id(dataset.id);
  const std::vector<std::string> names = ClassNamesFor(dataset.kind, dataset.num_classes);
  for (const StoredRelabelCandidate& c : rows) {
    const bool person = c.sample_key.empty() && IsMask(dataset);
    auto name = [&](int32_t label) {
      if (label < 0 || label >= static_cast<int32_t>(names.size())) return std::string("?");
      return person ? PersonLabelName(label) : names[label];
    };
    v1::RelabelCandidateRow* row = response.add_candidates();
    row->set_candidate_id(c.candidate_id);
    row->set_sample_key(c.sample_key);
    row->set_person(c.candidate.person);
    row->set_kind(c.candidate.kind);
    row->set_given_label(c.candidate.given_label);
    row->set_given_name(name(c.candidate.given_label));
    row->set_suggested_label(c.candidate.suggested_label);
    row->set_suggested_name(name(c.candidate.suggested_label));
    row->set_score(c.candidate.score);
    row->set_method(c.method);
    row->set_evidence_json(c.candidate.evidence_json);
    row->set_review_status(c.review_status);
  }
  return response;
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> LabelReviewManager::PersonPhotoKeys(
    int64_t dataset_id, const std::set<std::string>& persons) {
  std::map<std::string, std::vector<std::string>> keys;
  if (persons.empty()) return keys;
  FS_ASSIGN_OR_RETURN(std::vector<LabelledSample> samples, LoadLabels(db_, dataset_id, 0));
  for (const LabelledSample& sample : samples) {
    if (persons.count(sample.group) > 0) keys[sample.group].push_back(sample.key);
  }
  return keys;
}

absl::StatusOr<std::vector<std::string>> LabelReviewManager::ClassNames(int64_t dataset_id) {
  FS_ASSIGN_OR_RETURN(DatasetInfo dataset, GetDataset(db_, dataset_id));
  return ClassNamesFor(dataset.kind, dataset.num_classes);
}

absl::StatusOr<v1::ExportLabelsResponse> LabelReviewManager::ExportLabels(const v1::ExportLabelsRequest& request) {
  FS_ASSIGN_OR_RETURN(DatasetInfo dataset, ResolveDataset(request.dataset(), ""));
  int32_t version = request.label_version();
  if (!request.has_label_version()) {
    FS_ASSIGN_OR_RETURN(version, LatestLabelVersion(db_, dataset.id));
  }
  FS_ASSIGN_OR_RETURN(std::vector<LabelledSample> samples, LoadLabels(db_, dataset.id, version));
  v1::ExportLabelsResponse response;
  response.set_dataset_id(dataset.id);
  response.set_label_version(version);
  int32_t changed = 0;
  for (const LabelledSample& s : samples) changed += s.label != s.original_label;
  response.set_changed_samples(changed);
  if (!IsMask(dataset)) {
    std::string csv = "sample_key,label\n";
    for (const LabelledSample& s : samples) absl::StrAppend(&csv, s.key, ",", s.label, "\n");
    response.set_file_name("labels.csv");
    response.set_csv(std::move(csv));
    return response;
  }
  FS_ASSIGN_OR_RETURN(std::string train_csv, ReadFile(absl::StrCat(dataset.root, "/", data::kMaskCsvPath)));
  FS_ASSIGN_OR_RETURN(MaskExport exported, ExportMaskTrainCsv(train_csv, samples));
  response.set_file_name("train.csv");
  response.set_csv(std::move(exported.csv));
  for (auto& [from, to] : exported.moves) {
    v1::FileMove* move = response.add_moves();
    move->set_from(from);
    move->set_to(to);
  }
  return response;
}

}  // namespace foldstack::coordinator
