// Sweep creation: the sweep row, its trials and its trials x folds jobs, all or nothing.
#ifndef FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

struct SweepRecord {
  std::string name;
  std::string yaml;       // the submitted file, verbatim
  std::string spec_json;  // the parsed sweep, for tools
  int64_t dataset_id = 0;
  int64_t split_id = 0;
  int32_t max_attempts = 3;
  std::string submitted_by;                    // a token fingerprint, never a token
  std::vector<std::string> trial_params_json;  // one JSON object per trial
};

// Inserts the sweep (state running), one trial per params entry and one queued job per
// (trial, fold) of the split, in ONE transaction. Jobs are numbered trial-major, so leasing in id
// order runs trial 0's folds first.
absl::StatusOr<foldstack::v1::SubmitSweepResponse> InsertSweep(SqliteDb& db,
                                                               const SweepRecord& sweep,
                                                               int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_SWEEP_STORE_H_
