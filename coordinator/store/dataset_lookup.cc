#include "coordinator/store/dataset_lookup.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

constexpr char kColumns[] =
    "SELECT d.id, d.kind, d.root, d.num_classes, COALESCE(d.base_dataset_id, 0), d.label_version "
    "FROM datasets d ";

absl::StatusOr<std::vector<DatasetInfo>> Query(SqliteDb& db, const std::string& where,
                                               const std::vector<std::string>& values) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn,
                      Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(absl::StrCat(kColumns, where)));
  for (size_t i = 0; i < values.size(); ++i) rows.Bind(static_cast<int>(i + 1), values[i]);
  std::vector<DatasetInfo> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    out.push_back({rows.Int(0), rows.Text(1), rows.Text(2), static_cast<int32_t>(rows.Int(3)),
                   rows.Int(4), static_cast<int32_t>(rows.Int(5))});
  }
  return out;
}

}  // namespace

absl::StatusOr<DatasetInfo> GetDataset(SqliteDb& db, int64_t dataset_id) {
  FS_ASSIGN_OR_RETURN(std::vector<DatasetInfo> found,
                      Query(db, "WHERE d.id = CAST(?1 AS INTEGER)", {absl::StrCat(dataset_id)}));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, " not found"));
  return found[0];
}

absl::StatusOr<std::vector<DatasetInfo>> BaseDatasetsWithRoot(SqliteDb& db,
                                                              const std::string& root) {
  return Query(db, "WHERE d.root = ?1 AND d.base_dataset_id IS NULL ORDER BY d.id DESC", {root});
}

absl::StatusOr<std::vector<DatasetInfo>> BaseDatasetsNaming(SqliteDb& db,
                                                            const std::string& target) {
  return Query(db,
               "WHERE d.base_dataset_id IS NULL AND EXISTS (SELECT 1 FROM samples s "
               "WHERE s.dataset_id = d.id AND (s.sample_key = ?1 OR s.sample_key = 'train/' || ?1 "
               "OR s.sample_key = 'train/images/' || ?1 OR s.grp = ?1)) ORDER BY d.id DESC",
               {target});
}

absl::StatusOr<DatasetInfo> DatasetNamingSample(SqliteDb& db, int64_t dataset_id, const std::string& key) {
  FS_ASSIGN_OR_RETURN(std::vector<DatasetInfo> found,
                      Query(db,
                            "WHERE d.id = CAST(?1 AS INTEGER) AND EXISTS (SELECT 1 FROM samples s "
                            "WHERE s.dataset_id = d.id AND s.sample_key = ?2)",
                            {absl::StrCat(dataset_id), key}));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, " names no such photo"));
  return found[0];
}

}  // namespace foldstack::coordinator
