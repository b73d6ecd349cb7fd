#include "coordinator/store/label_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

absl::StatusOr<int32_t> LatestIn(Transaction& txn, int64_t dataset_id) {
  FS_ASSIGN_OR_RETURN(Statement latest, txn.Prepare(
      "SELECT COALESCE(MAX(version), 0) FROM label_versions WHERE dataset_id = ?"));
  latest.Bind(1, dataset_id);
  FS_ASSIGN_OR_RETURN(bool row, latest.Step());
  return row ? static_cast<int32_t>(latest.Int(0)) : 0;
}

absl::StatusOr<std::vector<LabelledSample>> LoadLabelsIn(Transaction& txn, int64_t dataset_id,
                                                         int32_t version) {
  FS_ASSIGN_OR_RETURN(int32_t latest, LatestIn(txn, dataset_id));
  if (version < 0 || version > latest) {
    return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, " has no label version ",
                                            version, " (versions 0..", latest, ")"));
  }
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(
      "SELECT s.id, s.sample_key, s.grp, s.label, "
      "  COALESCE((SELECT o.new_label FROM label_overrides o WHERE o.sample_id = s.id "
      "    AND o.status = 'accepted' AND o.label_version <= ?2 "
      "    ORDER BY o.label_version DESC, o.id DESC LIMIT 1), s.label) "
      "FROM samples s WHERE s.dataset_id = ?1 ORDER BY s.idx"));
  rows.Bind(1, dataset_id).Bind(2, version);
  std::vector<LabelledSample> samples;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    samples.push_back({rows.Int(0), rows.Text(1), rows.Text(2), static_cast<int32_t>(rows.Int(3)),
                       static_cast<int32_t>(rows.Int(4))});
  }
  return samples;
}

}  // namespace

absl::StatusOr<int32_t> LatestLabelVersion(SqliteDb& db, int64_t dataset_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  return LatestIn(*txn, dataset_id);
}

absl::StatusOr<std::vector<LabelledSample>> LoadLabels(SqliteDb& db, int64_t dataset_id,
                                                       int32_t version) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  return LoadLabelsIn(*txn, dataset_id, version);
}

absl::StatusOr<RecordedDecisions> RecordLabelDecisions(SqliteDb& db,
                                                       const LabelDecisionBatch& batch,
                                                       int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  FS_ASSIGN_OR_RETURN(int32_t latest, LatestIn(*txn, batch.dataset_id));
  if (latest != batch.validated_at) {
    return absl::AbortedError(absl::StrCat(
        "dataset ", batch.dataset_id, ": labels changed while deciding (version ",
        batch.validated_at, " -> ", latest, "); try again"));
  }
  RecordedDecisions result;
  result.label_version = latest;
  for (const LabelDecisionRow& row : batch.rows) result.new_version |= row.accepted;
  if (result.new_version) {
    result.label_version = latest + 1;
    FS_ASSIGN_OR_RETURN(Statement version, txn->Prepare(
        "INSERT INTO label_versions(dataset_id, version, created_ms, created_by, note) "
        "VALUES(?, ?, ?, ?, ?)"));
    version.Bind(1, batch.dataset_id).Bind(2, result.label_version).Bind(3, now_ms)
        .Bind(4, batch.decided_by).Bind(5, batch.version_note);
    FS_RETURN_IF_ERROR(version.Run().status());
  }
  FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
      "INSERT INTO label_overrides(dataset_id, label_version, target, sample_id, original_label, "
      "new_label, status, decided_by, decided_ms, note) "
      "SELECT ?1, ?2, ?3, s.id, s.label, ?4, ?5, ?6, ?7, ?8 FROM samples s "
      "WHERE s.id = ?9 AND s.dataset_id = ?1"));
  for (const LabelDecisionRow& row : batch.rows) {
    insert.Reset();
    insert.Bind(1, batch.dataset_id).Bind(2, result.label_version).Bind(3, row.target)
        .Bind(4, row.new_label).Bind(5, row.accepted ? "accepted" : "rejected")
        .Bind(6, batch.decided_by).Bind(7, now_ms).Bind(8, row.note).Bind(9, row.sample_id);
    FS_ASSIGN_OR_RETURN(int64_t stored, insert.Run());
    if (stored != 1) {
      return absl::InvalidArgumentError(absl::StrCat("sample ", row.sample_id, " (", row.target,
                                                     ") is not in dataset ", batch.dataset_id));
    }
    ++result.rows;
  }
  insert.Reset();
  FS_RETURN_IF_ERROR(txn->Commit());
  return result;
}

absl::StatusOr<int64_t> EnsureLabelledDataset(SqliteDb& db, int64_t base_id, int32_t version,
                                              int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  std::string kind, root, fingerprint;
  int64_t num_classes = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement base, txn->Prepare(
        "SELECT kind, root, fingerprint, num_classes FROM datasets "
        "WHERE id = ? AND base_dataset_id IS NULL"));
    base.Bind(1, base_id);
    FS_ASSIGN_OR_RETURN(bool found, base.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("dataset ", base_id, " not found"));
    kind = base.Text(0);
    root = base.Text(1);
    fingerprint = base.Text(2);
    num_classes = base.Int(3);
  }
  FS_ASSIGN_OR_RETURN(std::vector<LabelledSample> samples, LoadLabelsIn(*txn, base_id, version));
  if (version == 0) return base_id;
  {
    FS_ASSIGN_OR_RETURN(Statement find, txn->Prepare(
        "SELECT id FROM datasets WHERE base_dataset_id = ? AND label_version = ?"));
    find.Bind(1, base_id).Bind(2, version);
    FS_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) return find.Int(0);
  }
  int64_t derived_id = 0;
  {
    // Not a SHA-256 of the corrected labels: two versions with equal labels stay two rows, and a
    // real dataset whose files hold the same labels is never mistaken for a derived one.
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO datasets(kind, root, fingerprint, num_classes, sample_count, created_ms, "
        "base_dataset_id, label_version) VALUES(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    insert.Bind(1, kind).Bind(2, root).Bind(3, absl::StrCat(fingerprint, "@labels-v", version))
        .Bind(4, num_classes).Bind(5, static_cast<int64_t>(samples.size())).Bind(6, now_ms)
        .Bind(7, base_id).Bind(8, version);
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("insert labelled dataset: no id returned");
    derived_id = insert.Int(0);
  }
  FS_ASSIGN_OR_RETURN(Statement sample, txn->Prepare(
      "INSERT INTO samples(dataset_id, idx, sample_key, label, grp) VALUES(?, ?, ?, ?, ?)"));
  for (size_t i = 0; i < samples.size(); ++i) {
    sample.Reset();
    sample.Bind(1, derived_id).Bind(2, static_cast<int64_t>(i)).Bind(3, samples[i].key)
        .Bind(4, samples[i].label).Bind(5, samples[i].group);
    FS_RETURN_IF_ERROR(sample.Run().status());
  }
  sample.Reset();
  FS_RETURN_IF_ERROR(txn->Commit());
  return derived_id;
}

absl::StatusOr<int64_t> EnsureLabelledSplit(SqliteDb& db, int64_t base_split_id,
                                            int64_t dataset_id, int64_t now_ms) {
  SplitParams params;
  {
    FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
    FS_ASSIGN_OR_RETURN(Statement split, txn->Prepare(
        "SELECT sp.k, sp.seed, sp.group_by, sp.stratify FROM splits sp "
        "JOIN datasets d ON d.id = ? AND sp.dataset_id = d.base_dataset_id WHERE sp.id = ?"));
    split.Bind(1, dataset_id).Bind(2, base_split_id);
    FS_ASSIGN_OR_RETURN(bool found, split.Step());
    if (!found) {
      return absl::NotFoundError(absl::StrCat("split ", base_split_id, " is not a split of dataset ",
                                              dataset_id, "'s original labels"));
    }
    params = SplitParams{static_cast<int32_t>(split.Int(0)), split.Int(1), split.Text(2),
                         split.Int(3) != 0};
  }
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindSplit(db, dataset_id, params));
  if (existing.has_value()) return *existing;
  // Both datasets list the same keys in the same index order, so folds carry over by index.
  FS_ASSIGN_OR_RETURN(SplitManifest base, LoadSplit(db, base_split_id));
  std::vector<int32_t> folds;
  folds.reserve(base.samples.size());
  for (const SplitSample& sample : base.samples) folds.push_back(sample.fold);
  return InsertSplit(db, dataset_id, params, folds, now_ms);
}

}  // namespace foldstack::coordinator
