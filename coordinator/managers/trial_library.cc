#include "coordinator/managers/trial_library.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

// "mask /data/mask labels v1, k=5, seed=1, group_by person, stratified"
std::string Describe(const TrialSplit& s) {
  std::string out = absl::StrCat(s.dataset_kind, " ", s.dataset_root);
  if (s.label_version > 0) absl::StrAppend(&out, " labels v", s.label_version);
  absl::StrAppend(&out, ", k=", s.k, ", seed=", s.seed);
  if (!s.group_by.empty()) absl::StrAppend(&out, ", group_by ", s.group_by);
  if (s.stratify) absl::StrAppend(&out, ", stratified");
  return out;
}

absl::Status CheckNoRepeats(const std::vector<int64_t>& ids, const char* what) {
  std::set<int64_t> seen;
  for (int64_t id : ids) {
    if (!seen.insert(id).second) return absl::InvalidArgumentError(absl::StrCat(what, " ", id, " is named twice"));
  }
  return absl::OkStatus();
}

absl::Status CheckShape(const TrialRequest& r) {
  if (r.sweep_id > 0 && !r.sweep_ids.empty()) {
    return absl::InvalidArgumentError("give one sweep id or several sweeps (--sweeps), not both");
  }
  if (!r.sweep_ids.empty() && !r.trial_ids.empty()) {
    return absl::InvalidArgumentError(
        "give sweeps (--sweeps: every completed trial of each) or trials (--trials), not both");
  }
  if (r.sweep_id <= 0 && r.sweep_ids.empty() && r.trial_ids.empty()) {
    return absl::InvalidArgumentError("no sweep or trials given (a sweep id, --sweeps 3,4 or --trials 7,12)");
  }
  FS_RETURN_IF_ERROR(CheckNoRepeats(r.sweep_ids, "sweep"));
  return CheckNoRepeats(r.trial_ids, "trial");
}

// The sweep's completed trials; FAILED_PRECONDITION when there are none.
absl::StatusOr<std::vector<int64_t>> CompletedOf(SqliteDb& db, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> trials, CompletedTrials(db, sweep_id));
  if (trials.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sweep ", sweep_id, " has no trial with every fold done yet (see foldstack sweep show ", sweep_id, ")"));
  }
  return trials;
}

absl::StatusOr<TrialLibrary> OneSweep(SqliteDb& db, const TrialRequest& request) {
  TrialLibrary library;
  library.trial_ids = request.trial_ids;
  if (library.trial_ids.empty()) {
    FS_ASSIGN_OR_RETURN(library.trial_ids, CompletedOf(db, request.sweep_id));
  }
  library.trial_sweeps.assign(library.trial_ids.size(), request.sweep_id);
  library.sweep_ids = {request.sweep_id};
  return library;
}

absl::StatusOr<TrialLibrary> AcrossSweeps(SqliteDb& db, const TrialRequest& request) {
  TrialLibrary library;
  library.single_sweep = false;
  library.trial_ids = request.trial_ids;
  for (int64_t sweep_id : request.sweep_ids) {
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> completed, CompletedOf(db, sweep_id));
    library.trial_ids.insert(library.trial_ids.end(), completed.begin(), completed.end());
  }
  FS_ASSIGN_OR_RETURN(std::vector<TrialSplit> splits, LoadTrialSplits(db, library.trial_ids));
  FS_RETURN_IF_ERROR(CheckOneSplit(splits));
  library.split_id = splits.front().split_id;
  for (const TrialSplit& s : splits) library.trial_sweeps.push_back(s.sweep_id);
  const std::set<int64_t> sweeps(library.trial_sweeps.begin(), library.trial_sweeps.end());
  library.sweep_ids.assign(sweeps.begin(), sweeps.end());
  return library;
}

}  // namespace

TrialRequest MakeTrialRequest(int64_t sweep_id, const google::protobuf::RepeatedField<int64_t>& sweep_ids,
                              const google::protobuf::RepeatedField<int64_t>& trial_ids) {
  return {sweep_id, {sweep_ids.begin(), sweep_ids.end()}, {trial_ids.begin(), trial_ids.end()}};
}

absl::StatusOr<TrialLibrary> ChooseTrialLibrary(SqliteDb& db, const TrialRequest& request) {
  FS_RETURN_IF_ERROR(CheckShape(request));
  return request.sweep_id > 0 ? OneSweep(db, request) : AcrossSweeps(db, request);
}

absl::StatusOr<SweepOof> LoadLibraryOof(SqliteDb& db, const TrialLibrary& library) {
  if (library.single_sweep) return LoadSweepOof(db, library.sweep_ids.front(), library.trial_ids);
  return LoadSplitOof(db, library.split_id, library.trial_ids);
}

absl::Status CheckOneSplit(const std::vector<TrialSplit>& trials) {
  std::vector<std::pair<const TrialSplit*, int>> first_on_split;  // the first trial on each split, how many
  for (const TrialSplit& t : trials) {
    auto same = std::find_if(first_on_split.begin(), first_on_split.end(),
                             [&](const auto& s) { return s.first->split_id == t.split_id; });
    if (same == first_on_split.end()) {
      first_on_split.push_back({&t, 1});
    } else {
      ++same->second;
    }
  }
  if (first_on_split.size() <= 1) return absl::OkStatus();
  std::vector<std::string> parts;
  for (const auto& [t, count] : first_on_split) {
    parts.push_back(absl::StrCat("trial ", t->trial_id, " (sweep ", t->sweep_id, ")",
                                 count > 1 ? absl::StrCat(" and ", count - 1, " more") : "", " on split ",
                                 t->split_id, " (", Describe(*t), ")"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("trials are on different splits: ", absl::StrJoin(parts, ", ")));
}

std::string SweepsLabel(const std::vector<int64_t>& sweep_ids) {
  return absl::StrCat(sweep_ids.size() == 1 ? "sweep " : "sweeps ", absl::StrJoin(sweep_ids, ","));
}

}  // namespace foldstack::coordinator
