#include "coordinator/store/dataset_store.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

// A field of the fingerprinted text: length-prefixed so no key/group content can collide.
void AddField(EVP_MD_CTX* ctx, absl::string_view field) {
  const std::string length = absl::StrCat(field.size(), ":");
  EVP_DigestUpdate(ctx, length.data(), length.size());
  EVP_DigestUpdate(ctx, field.data(), field.size());
}

absl::Status ValidateSamples(const DatasetRecord& dataset) {
  if (dataset.num_classes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("dataset ", dataset.root,
                                                   ": num_classes must be >= 1, got ",
                                                   dataset.num_classes));
  }
  for (size_t i = 0; i < dataset.samples.size(); ++i) {
    const SampleRecord& s = dataset.samples[i];
    if (s.label < 0 || s.label >= dataset.num_classes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dataset ", dataset.root, ": sample ", i, " (", s.key, "): label ", s.label,
          " outside 0..", dataset.num_classes - 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string DatasetFingerprint(const DatasetRecord& dataset) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  AddField(ctx.get(), absl::StrCat("classes=", dataset.num_classes));
  for (const SampleRecord& s : dataset.samples) {
    AddField(ctx.get(), s.key);
    AddField(ctx.get(), absl::StrCat(s.label));
    AddField(ctx.get(), s.group);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

absl::StatusOr<int64_t> EnsureDataset(SqliteDb& db, const DatasetRecord& dataset, int64_t now_ms) {
  FS_RETURN_IF_ERROR(ValidateSamples(dataset));
  const std::string fingerprint = DatasetFingerprint(dataset);
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  {
    FS_ASSIGN_OR_RETURN(Statement find, txn->Prepare(
        "SELECT id FROM datasets WHERE kind = ? AND root = ? AND fingerprint = ?"));
    find.Bind(1, dataset.kind).Bind(2, dataset.root).Bind(3, fingerprint);
    FS_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) return find.Int(0);
  }
  int64_t dataset_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO datasets(kind, root, fingerprint, num_classes, sample_count, created_ms) "
        "VALUES(?, ?, ?, ?, ?, ?) RETURNING id"));
    insert.Bind(1, dataset.kind).Bind(2, dataset.root).Bind(3, fingerprint)
        .Bind(4, dataset.num_classes).Bind(5, static_cast<int64_t>(dataset.samples.size()))
        .Bind(6, now_ms);
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("insert dataset: no id returned");
    dataset_id = insert.Int(0);
  }
  FS_ASSIGN_OR_RETURN(Statement sample, txn->Prepare(
      "INSERT INTO samples(dataset_id, idx, sample_key, label, grp) VALUES(?, ?, ?, ?, ?)"));
  for (size_t i = 0; i < dataset.samples.size(); ++i) {
    const SampleRecord& s = dataset.samples[i];
    sample.Reset();
    sample.Bind(1, dataset_id).Bind(2, static_cast<int64_t>(i)).Bind(3, s.key)
        .Bind(4, s.label).Bind(5, s.group);
    absl::StatusOr<int64_t> inserted = sample.Run();
    if (absl::IsFailedPrecondition(inserted.status())) {
      return absl::InvalidArgumentError(absl::StrCat("dataset ", dataset.root, ": sample ", i,
                                                     ": duplicate key \"", s.key, "\""));
    }
    if (!inserted.ok()) return inserted.status();
  }
  FS_RETURN_IF_ERROR(txn->Commit());
  return dataset_id;
}

namespace {

absl::StatusOr<std::optional<int64_t>> FindSplitIn(Transaction& txn, int64_t dataset_id,
                                                   const SplitParams& p) {
  FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(
      "SELECT id FROM splits WHERE dataset_id = ? AND k = ? AND seed = ? AND group_by = ? "
      "AND stratify = ?"));
  find.Bind(1, dataset_id).Bind(2, p.k).Bind(3, p.seed).Bind(4, p.group_by)
      .Bind(5, p.stratify ? 1 : 0);
  FS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(find.Int(0));
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> FindSplit(SqliteDb& db, int64_t dataset_id,
                                                 const SplitParams& params) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  return FindSplitIn(*txn, dataset_id, params);
}

absl::StatusOr<int64_t> InsertSplit(SqliteDb& db, int64_t dataset_id, const SplitParams& p,
                                    const std::vector<int32_t>& folds, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindSplitIn(*txn, dataset_id, p));
  if (existing.has_value()) return *existing;

  std::vector<int64_t> sample_ids;
  {
    FS_ASSIGN_OR_RETURN(Statement ids, txn->Prepare(
        "SELECT id FROM samples WHERE dataset_id = ? ORDER BY idx"));
    ids.Bind(1, dataset_id);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, ids.Step());
      if (!row) break;
      sample_ids.push_back(ids.Int(0));
    }
  }
  if (sample_ids.size() != folds.size()) {
    return absl::InvalidArgumentError(absl::StrCat("split of dataset ", dataset_id, ": ",
                                                   folds.size(), " fold assignments for ",
                                                   sample_ids.size(), " samples"));
  }
  for (size_t i = 0; i < folds.size(); ++i) {
    if (folds[i] < 0 || folds[i] >= p.k) {
      return absl::InvalidArgumentError(absl::StrCat("split of dataset ", dataset_id,
                                                     ": sample ", i, " has fold ", folds[i],
                                                     ", expected 0..", p.k - 1));
    }
  }
  int64_t split_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO splits(dataset_id, k, seed, group_by, stratify, created_ms) "
        "VALUES(?, ?, ?, ?, ?, ?) RETURNING id"));
    insert.Bind(1, dataset_id).Bind(2, p.k).Bind(3, p.seed).Bind(4, p.group_by)
        .Bind(5, p.stratify ? 1 : 0).Bind(6, now_ms);
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("insert split: no id returned");
    split_id = insert.Int(0);
  }
  FS_ASSIGN_OR_RETURN(Statement fold, txn->Prepare(
      "INSERT INTO split_folds(split_id, sample_id, fold) VALUES(?, ?, ?)"));
  for (size_t i = 0; i < folds.size(); ++i) {
    fold.Reset();
    fold.Bind(1, split_id).Bind(2, sample_ids[i]).Bind(3, folds[i]);
    FS_RETURN_IF_ERROR(fold.Run().status());
  }
  FS_RETURN_IF_ERROR(txn->Commit());
  return split_id;
}

absl::StatusOr<SplitManifest> LoadSplit(SqliteDb& db, int64_t split_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  SplitManifest manifest;
  {
    FS_ASSIGN_OR_RETURN(Statement split, txn->Prepare("SELECT k FROM splits WHERE id = ?"));
    split.Bind(1, split_id);
    FS_ASSIGN_OR_RETURN(bool found, split.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("split ", split_id, " not found"));
    manifest.split_id = split_id;
    manifest.k = static_cast<int32_t>(split.Int(0));
  }
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(
      "SELECT s.id, s.sample_key, s.label, f.fold, s.grp FROM split_folds f "
      "JOIN samples s ON s.id = f.sample_id WHERE f.split_id = ? ORDER BY s.idx"));
  rows.Bind(1, split_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    manifest.samples.push_back({rows.Int(0), rows.Text(1), static_cast<int32_t>(rows.Int(2)),
                                static_cast<int32_t>(rows.Int(3)), rows.Text(4)});
  }
  return manifest;
}

}  // namespace foldstack::coordinator
