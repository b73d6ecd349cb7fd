// Label versions: review decisions layered over a dataset's original labels.
//
// The original labels (samples.label) are never changed. Version 0 is the original labels; each
// batch of accepted decisions makes version latest + 1. A sample's label at version N is the
// new_label of its latest accepted override with label_version <= N, else the original. A sweep
// on version N > 0 trains on a derived dataset row (EnsureLabelledDataset) over the same keys.
#ifndef FOLDSTACK_COORDINATOR_STORE_LABEL_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_LABEL_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/dataset_store.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct LabelledSample {
  int64_t sample_id = 0;  // of the base dataset
  std::string key;
  std::string group;
  int32_t original_label = 0;
  int32_t label = 0;  // at the requested version
};

// The newest version of base dataset `dataset_id`; 0 when none was made.
absl::StatusOr<int32_t> LatestLabelVersion(SqliteDb& db, int64_t dataset_id);

// Every sample of base dataset `dataset_id` in index order with its label at `version`.
// NOT_FOUND for a version that does not exist (0 always exists).
absl::StatusOr<std::vector<LabelledSample>> LoadLabels(SqliteDb& db, int64_t dataset_id,
                                                       int32_t version);

struct LabelDecisionRow {
  std::string target;  // the resolved sample key or person the reviewer named
  int64_t sample_id = 0;
  int32_t new_label = 0;  // accepted: the label from now on; rejected: the label refused
  bool accepted = false;
  std::string note;
};

struct LabelDecisionBatch {
  int64_t dataset_id = 0;   // the base dataset
  int32_t validated_at = 0;  // the latest version when the rows were checked
  std::string decided_by;   // a token fingerprint
  std::string version_note;
  std::vector<LabelDecisionRow> rows;
};

struct RecordedDecisions {
  int32_t label_version = 0;  // the new version, or the unchanged latest when nothing was accepted
  bool new_version = false;
  int32_t rows = 0;
};

// Stores the batch in one transaction: all rows or none. ABORTED when another batch made a version
// after `validated_at` (the caller re-validates); INVALID_ARGUMENT for a sample of another dataset.
absl::StatusOr<RecordedDecisions> RecordLabelDecisions(SqliteDb& db,
                                                       const LabelDecisionBatch& batch,
                                                       int64_t now_ms);

// The dataset row holding version `version` of base dataset `base_id`'s labels over the same
// keys and groups (created on first use, one transaction); `base_id` itself for version 0.
absl::StatusOr<int64_t> EnsureLabelledDataset(SqliteDb& db, int64_t base_id, int32_t version,
                                              int64_t now_ms);

// The split of labelled dataset `dataset_id` that keeps base split `base_split_id`'s fold of every
// sample (same persons per fold, not re-stratified on corrected labels); created on first use.
absl::StatusOr<int64_t> EnsureLabelledSplit(SqliteDb& db, int64_t base_split_id,
                                            int64_t dataset_id, int64_t now_ms);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_LABEL_STORE_H_
