#include "coordinator/store/artifact_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

constexpr char kColumns[] =
    "a.id, a.job_kind, a.job_id, a.sweep_id, a.trial_id, a.fold, a.kind, a.epoch, a.name, a.size, a.sha256, "
    "a.storage_key, a.created_ms";

const char* JobKindText(JobTable table) { return table == JobTable::kTrain ? "train" : "predict"; }

absl::StatusOr<ArtifactRecord> ReadRecord(const Statement& row) {
  ArtifactRecord r;
  r.id = row.Int(0);
  r.job_table = row.Text(1) == "predict" ? JobTable::kPredict : JobTable::kTrain;
  r.job_id = row.Int(2);
  r.sweep_id = row.IsNull(3) ? 0 : row.Int(3);
  r.trial_id = row.IsNull(4) ? 0 : row.Int(4);
  r.fold = static_cast<int32_t>(row.Int(5));
  const std::optional<ArtifactKind> kind = ParseArtifactKind(row.Text(6));
  if (!kind) return absl::InternalError(absl::StrCat("artifact ", r.id, ": unknown kind '", row.Text(6), "'"));
  r.kind = *kind;
  r.epoch = static_cast<int32_t>(row.Int(7));
  r.name = row.Text(8);
  r.size = row.Int(9);
  r.sha256 = row.Text(10);
  r.storage_key = row.Text(11);
  r.created_ms = row.Int(12);
  return r;
}

// Every row of `stmt` (already bound) as records.
absl::StatusOr<std::vector<ArtifactRecord>> ReadAll(Statement& stmt) {
  std::vector<ArtifactRecord> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    FS_ASSIGN_OR_RETURN(ArtifactRecord record, ReadRecord(stmt));
    out.push_back(std::move(record));
  }
}

// The first row of `stmt` (already bound), if any.
absl::StatusOr<std::optional<ArtifactRecord>> ReadFirst(Statement& stmt) {
  FS_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  FS_ASSIGN_OR_RETURN(ArtifactRecord record, ReadRecord(stmt));
  return record;
}

absl::StatusOr<std::vector<ArtifactRecord>> ListWhere(Transaction& txn, const char* where, int64_t id) {
  FS_ASSIGN_OR_RETURN(Statement list, txn.Prepare(absl::StrCat("SELECT ", kColumns, " FROM artifacts a WHERE ",
                                                               where, " ORDER BY a.trial_id, a.fold, a.kind, a.id")));
  list.Bind(1, id);
  return ReadAll(list);
}

}  // namespace

const char* ArtifactKindName(ArtifactKind kind) {
  switch (kind) {
    case ArtifactKind::kBestCheckpoint:
      return "best_checkpoint";
    case ArtifactKind::kResumeCheckpoint:
      return "resume_checkpoint";
    case ArtifactKind::kLog:
      return "log";
  }
  return "?";
}

std::optional<ArtifactKind> ParseArtifactKind(std::string_view name) {
  for (ArtifactKind kind : {ArtifactKind::kBestCheckpoint, ArtifactKind::kResumeCheckpoint, ArtifactKind::kLog}) {
    if (name == ArtifactKindName(kind)) return kind;
  }
  return std::nullopt;
}

absl::StatusOr<JobPlace> LoadJobPlace(Transaction& txn, JobTable table, int64_t job_id) {
  FS_ASSIGN_OR_RETURN(Statement load,
                      txn.Prepare(table == JobTable::kTrain
                                      ? "SELECT sweep_id, trial_id, fold FROM jobs WHERE id = ?"
                                      : "SELECT j.sweep_id, j.trial_id, j.fold FROM prediction_jobs p "
                                        "JOIN jobs j ON j.id = p.train_job_id WHERE p.id = ?"));
  load.Bind(1, job_id);
  FS_ASSIGN_OR_RETURN(bool found, load.Step());
  if (!found) return absl::NotFoundError(absl::StrCat(JobName(table, job_id), " not found"));
  return JobPlace{load.Int(0), load.Int(1), static_cast<int32_t>(load.Int(2))};
}

absl::StatusOr<int64_t> InsertArtifact(Transaction& txn, const ArtifactRecord& r) {
  FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> same, FindArtifact(txn, r.job_table, r.job_id, r.kind, r.sha256));
  if (same.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(JobName(r.job_table, r.job_id), ": ", ArtifactKindName(r.kind),
                                                 " ", r.sha256, " is artifact ", same->id));
  }
  FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
      "INSERT INTO artifacts(job_kind, job_id, sweep_id, trial_id, fold, kind, epoch, name, size, sha256, "
      "storage_key, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  insert.Bind(1, JobKindText(r.job_table)).Bind(2, r.job_id);
  if (r.sweep_id > 0) insert.Bind(3, r.sweep_id); else insert.BindNull(3);
  if (r.trial_id > 0) insert.Bind(4, r.trial_id); else insert.BindNull(4);
  insert.Bind(5, r.fold).Bind(6, ArtifactKindName(r.kind)).Bind(7, r.epoch).Bind(8, r.name).Bind(9, r.size);
  insert.Bind(10, r.sha256).Bind(11, r.storage_key).Bind(12, r.created_ms);
  FS_ASSIGN_OR_RETURN(bool row, insert.Step());
  if (!row) return absl::InternalError("artifacts: INSERT returned no id");
  return insert.Int(0);
}

absl::StatusOr<ArtifactRecord> LoadArtifact(Transaction& txn, int64_t artifact_id) {
  FS_ASSIGN_OR_RETURN(Statement load, txn.Prepare(absl::StrCat("SELECT ", kColumns, " FROM artifacts a WHERE a.id = ?")));
  load.Bind(1, artifact_id);
  FS_ASSIGN_OR_RETURN(std::optional<ArtifactRecord> record, ReadFirst(load));
  if (!record.has_value()) return absl::NotFoundError(absl::StrCat("artifact ", artifact_id, " not found"));
  return *record;
}

absl::StatusOr<std::optional<ArtifactRecord>> FindArtifact(Transaction& txn, JobTable table, int64_t job_id,
                                                            ArtifactKind kind, const std::string& sha256) {
  FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM artifacts a WHERE a.job_kind = ? AND a.job_id = ? AND a.kind = ? AND a.sha256 = ?")));
  find.Bind(1, JobKindText(table)).Bind(2, job_id).Bind(3, ArtifactKindName(kind)).Bind(4, sha256);
  return ReadFirst(find);
}

absl::StatusOr<std::optional<ArtifactRecord>> LatestArtifact(Transaction& txn, JobTable table, int64_t job_id,
                                                             ArtifactKind kind) {
  FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM artifacts a WHERE a.job_kind = ? AND a.job_id = ? AND a.kind = ? "
      "ORDER BY a.id DESC LIMIT 1")));
  find.Bind(1, JobKindText(table)).Bind(2, job_id).Bind(3, ArtifactKindName(kind));
  return ReadFirst(find);
}

absl::StatusOr<std::vector<ArtifactRecord>> OtherArtifacts(Transaction& txn, JobTable table, int64_t job_id,
                                                           ArtifactKind kind, int64_t keep_id) {
  FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM artifacts a WHERE a.job_kind = ? AND a.job_id = ? AND a.kind = ? AND a.id != ? "
      "ORDER BY a.id")));
  find.Bind(1, JobKindText(table)).Bind(2, job_id).Bind(3, ArtifactKindName(kind)).Bind(4, keep_id);
  return ReadAll(find);
}

absl::StatusOr<std::vector<ArtifactRecord>> ListSweepArtifacts(Transaction& txn, int64_t sweep_id) {
  return ListWhere(txn, "a.sweep_id = ?", sweep_id);
}

absl::StatusOr<std::vector<ArtifactRecord>> ListTrialArtifacts(Transaction& txn, int64_t trial_id) {
  return ListWhere(txn, "a.trial_id = ?", trial_id);
}

absl::Status DeleteArtifactRows(Transaction& txn, const std::vector<ArtifactRecord>& records) {
  FS_ASSIGN_OR_RETURN(Statement remove, txn.Prepare("DELETE FROM artifacts WHERE id = ?"));
  for (const ArtifactRecord& r : records) {
    remove.Reset();
    remove.Bind(1, r.id);
    FS_RETURN_IF_ERROR(remove.Run().status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ResolveSweep(Transaction& txn, const std::string& id_or_name) {
  int64_t id = 0;
  if (absl::SimpleAtoi(id_or_name, &id)) {
    FS_ASSIGN_OR_RETURN(Statement find, txn.Prepare("SELECT 1 FROM sweeps WHERE id = ?"));
    find.Bind(1, id);
    FS_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) return id;
  }
  FS_ASSIGN_OR_RETURN(Statement by_name, txn.Prepare("SELECT id FROM sweeps WHERE name = ? ORDER BY id"));
  by_name.Bind(1, id_or_name);
  std::vector<int64_t> ids;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, by_name.Step());
    if (!row) break;
    ids.push_back(by_name.Int(0));
  }
  if (ids.empty()) return absl::NotFoundError(absl::StrCat("no sweep with id or name \"", id_or_name, "\""));
  if (ids.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("sweep name \"", id_or_name, "\" is shared by sweeps ",
                                                   absl::StrJoin(ids, ", "), "; give the id"));
  }
  return ids[0];
}

absl::StatusOr<std::vector<int64_t>> RunningTrialIds(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement find,
                      txn.Prepare("SELECT id FROM trials WHERE sweep_id = ? AND state = 'running' ORDER BY id"));
  find.Bind(1, sweep_id);
  std::vector<int64_t> ids;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, find.Step());
    if (!row) return ids;
    ids.push_back(find.Int(0));
  }
}

}  // namespace foldstack::coordinator
