// Reading out-of-fold (OOF) predictions for analysis: each trial's OOF is its fold jobs' predictions
// of the samples they held out, laid out per sample of the split its sweep ran on. Trials of several
// sweeps can be read together when their sweeps share one split.
#ifndef FOLDSTACK_COORDINATOR_STORE_OOF_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_OOF_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct OofSample {
  int64_t sample_id = 0;  // of the sweep's dataset (a label version's own rows)
  std::string key;
  std::string group;
  int32_t label = 0;      // as the sweep trained on it
  int32_t fold = 0;       // held out in this fold of the sweep's split
};

struct SweepOof {
  int64_t sweep_id = 0;         // 0 when read by split (LoadSplitOof)
  int64_t dataset_id = 0;       // the sweep's dataset
  std::string dataset_kind;
  int32_t num_classes = 0;
  std::vector<OofSample> samples;  // the split's samples in dataset index order
  std::vector<int64_t> trial_ids;
  // Per trial: its task ("" when its params have none; common/mask_heads.h) and its row width:
  // num_classes, or a head's classes for a head task (trial_task.h).
  std::vector<std::string> tasks;
  std::vector<int32_t> widths;
  // Per trial: samples.size() x widths[t], row-major; a row of zeros where no done job of the
  // trial predicted the sample.
  std::vector<std::vector<float>> probs;
};

// Where a trial ran: its sweep and that sweep's split, described for people.
struct TrialSplit {
  int64_t trial_id = 0;
  int64_t sweep_id = 0;
  int64_t split_id = 0;
  std::string dataset_kind;
  std::string dataset_root;
  int32_t label_version = 0;  // 0: the original labels
  int32_t k = 0;
  int64_t seed = 0;
  std::string group_by;       // "" when samples were split individually
  bool stratify = false;
};

// The split of each trial, in the order given. NOT_FOUND naming the first unknown trial.
absl::StatusOr<std::vector<TrialSplit>> LoadTrialSplits(SqliteDb& db, const std::vector<int64_t>& trial_ids);

// The sweep's trials with every fold job done, by id. NOT_FOUND for an unknown sweep.
absl::StatusOr<std::vector<int64_t>> CompletedTrials(SqliteDb& db, int64_t sweep_id);

// The OOF probabilities of `trial_ids` (each must belong to the sweep; INVALID_ARGUMENT names
// the first that does not). Only predictions of done jobs count. INVALID_ARGUMENT for a stored
// chunk of the wrong width or a malformed blob, naming the chunk and its job.
absl::StatusOr<SweepOof> LoadSweepOof(SqliteDb& db, int64_t sweep_id, const std::vector<int64_t>& trial_ids);

// As LoadSweepOof for trials of any sweeps that ran on split `split_id` (INVALID_ARGUMENT names the
// first trial that did not); NOT_FOUND for an unknown split.
absl::StatusOr<SweepOof> LoadSplitOof(SqliteDb& db, int64_t split_id, const std::vector<int64_t>& trial_ids);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_OOF_STORE_H_
