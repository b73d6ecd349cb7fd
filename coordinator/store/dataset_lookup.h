// Finding stored datasets by id, root folder or a sample/person they contain, for commands that
// name a dataset loosely (`foldstack relabel ... --dataset 3 | --dataset /data/mask`).
#ifndef FOLDSTACK_COORDINATOR_STORE_DATASET_LOOKUP_H_
#define FOLDSTACK_COORDINATOR_STORE_DATASET_LOOKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct DatasetInfo {
  int64_t id = 0;
  std::string kind;
  std::string root;
  int32_t num_classes = 0;
  int64_t base_dataset_id = 0;  // 0: this row holds original labels
  int32_t label_version = 0;
};

// NOT_FOUND for an unknown id.
absl::StatusOr<DatasetInfo> GetDataset(SqliteDb& db, int64_t dataset_id);

// Datasets holding original labels (not label versions) stored with this root, newest first.
absl::StatusOr<std::vector<DatasetInfo>> BaseDatasetsWithRoot(SqliteDb& db,
                                                              const std::string& root);

// Datasets holding original labels with a sample key `target` (or "train/" + target, or
// "train/images/" + target) or a group (person) `target`, newest first.
absl::StatusOr<std::vector<DatasetInfo>> BaseDatasetsNaming(SqliteDb& db,
                                                            const std::string& target);

// The dataset when one of its samples has exactly `key`; NOT_FOUND (not echoing the key) otherwise.
// What the dashboard serves photos by: only files the database names.
absl::StatusOr<DatasetInfo> DatasetNamingSample(SqliteDb& db, int64_t dataset_id, const std::string& key);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_DATASET_LOOKUP_H_
