// Datasets, their samples, and k-fold splits of them.
//
// A dataset row is identified by (kind, root, fingerprint): the fingerprint hashes every sample's
// (key, label, group) in order, so an edited train.csv becomes a new dataset and old sweeps keep
// pointing at the samples they were trained on. A split is stored once per
// (dataset, k, seed, group_by, stratify) and shared by every sweep that asks for it.
#ifndef FOLDSTACK_COORDINATOR_STORE_DATASET_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_DATASET_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct SampleRecord {
  std::string key;    // relative to the dataset root, or "train/123" for IDX datasets
  int32_t label = 0;
  std::string group;  // e.g. the person id; "" when the dataset has no groups
};

struct DatasetRecord {
  std::string kind;  // "mask" | "fashion_mnist"
  std::string root;
  int32_t num_classes = 0;
  std::vector<SampleRecord> samples;
};

struct SplitParams {
  int32_t k = 5;
  int64_t seed = 0;
  std::string group_by;  // "" = split samples individually
  bool stratify = false;
};

// Hex SHA-256 over num_classes and the samples' (key, label, group), in order.
std::string DatasetFingerprint(const DatasetRecord& dataset);

// The id of the dataset row matching `dataset`, inserting it and its samples (one transaction)
// when no row has the same kind, root and fingerprint.
absl::StatusOr<int64_t> EnsureDataset(SqliteDb& db, const DatasetRecord& dataset, int64_t now_ms);

// The stored split of `dataset_id` with these parameters, if any.
absl::StatusOr<std::optional<int64_t>> FindSplit(SqliteDb& db, int64_t dataset_id,
                                                 const SplitParams& params);

// Stores a split: folds[i] is the fold (0..k-1) of the dataset's i-th sample. If an identical
// split already exists (e.g. a concurrent submission stored it first), returns its id unchanged.
absl::StatusOr<int64_t> InsertSplit(SqliteDb& db, int64_t dataset_id, const SplitParams& params,
                                    const std::vector<int32_t>& folds, int64_t now_ms);

struct SplitSample {
  int64_t sample_id = 0;
  std::string sample_key;
  int32_t label = 0;
  int32_t fold = 0;
  std::string group;  // "" when the dataset has no groups
};
struct SplitManifest {
  int64_t split_id = 0;
  int32_t k = 0;
  std::vector<SplitSample> samples;  // in the dataset's index order
};
// The split's manifest; NOT_FOUND for an unknown id.
absl::StatusOr<SplitManifest> LoadSplit(SqliteDb& db, int64_t split_id);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_DATASET_STORE_H_
