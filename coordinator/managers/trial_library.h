// Which trials an OOF analysis (relabel find, ensemble select) works on: the trials of one sweep,
// as always, or trials of several sweeps that ran on one split, and their out-of-fold predictions.
//
// Across sweeps the rule is the split: every trial must have run on the same stored split (same
// dataset and label version, k, seed, grouping and stratification, hence the same folds), so each
// sample is held out of the same fold for every trial and nested scores stay honest. Otherwise the
// request is refused with one line naming which trial is on which split.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_LIBRARY_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_LIBRARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/oof_store.h"
#include "coordinator/store/sqlite_db.h"
#include "google/protobuf/repeated_field.h"

namespace foldstack::coordinator {

// What a request names: one sweep (sweep_id > 0, optionally trials of it), or (sweep_id 0) the
// completed trials of each of sweep_ids, or trial_ids from any sweeps.
struct TrialRequest {
  int64_t sweep_id = 0;
  std::vector<int64_t> sweep_ids;
  std::vector<int64_t> trial_ids;
};

TrialRequest MakeTrialRequest(int64_t sweep_id, const google::protobuf::RepeatedField<int64_t>& sweep_ids,
                              const google::protobuf::RepeatedField<int64_t>& trial_ids);

struct TrialLibrary {
  bool single_sweep = true;         // the one-sweep form: read with LoadSweepOof
  int64_t split_id = 0;             // across sweeps: the split every trial ran on
  std::vector<int64_t> trial_ids;   // in request order (a sweep's completed trials by id)
  std::vector<int64_t> trial_sweeps;  // the sweep of each trial
  std::vector<int64_t> sweep_ids;   // distinct, ascending
};

// The trials named, or the completed ones. INVALID_ARGUMENT for a malformed request (both sweep_id
// and sweep_ids, both sweep_ids and trial_ids, neither, a trial named twice); NOT_FOUND for an
// unknown sweep or trial; FAILED_PRECONDITION for a sweep with no completed trial or trials on
// different splits (DifferentSplits' line).
absl::StatusOr<TrialLibrary> ChooseTrialLibrary(SqliteDb& db, const TrialRequest& request);

// The library's OOF predictions (see oof_store.h).
absl::StatusOr<SweepOof> LoadLibraryOof(SqliteDb& db, const TrialLibrary& library);

// OK when every trial is on one split; else FAILED_PRECONDITION, one line: "trials are on different
// splits: trial 3 (sweep 1) on split 1 (mask /data/mask, k=5, seed=1, group_by person), trial 9
// (sweep 2) and 2 more on split 2 (...)" -- the first trial on each split.
absl::Status CheckOneSplit(const std::vector<TrialSplit>& trials);

// "sweep 3" or "sweeps 3,4" for messages.
std::string SweepsLabel(const std::vector<int64_t>& sweep_ids);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_TRIAL_LIBRARY_H_
