#include "coordinator/store/relabel_candidate_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

constexpr char kSelectCandidates[] =
    "SELECT v.candidate_id, v.sweep_id, v.method, COALESCE(v.sample_key, ''), "
    "  COALESCE(c.sample_id, 0), v.person, v.kind, v.given_label, v.suggested_label, v.score, "
    "  v.evidence, c.created_ms, v.review_status, v.dataset_id "
    "FROM v_relabel_candidates v JOIN relabel_candidates c ON c.id = v.candidate_id ";

absl::StatusOr<std::vector<StoredRelabelCandidate>> ReadCandidates(Statement& rows) {
  std::vector<StoredRelabelCandidate> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    StoredRelabelCandidate c;
    c.candidate_id = rows.Int(0);
    c.sweep_id = rows.Int(1);
    c.method = rows.Text(2);
    c.sample_key = rows.Text(3);
    c.candidate.sample_id = rows.Int(4);
    c.candidate.person = rows.Text(5);
    c.candidate.kind = rows.Text(6);
    c.candidate.given_label = static_cast<int32_t>(rows.Int(7));
    c.candidate.suggested_label = static_cast<int32_t>(rows.Int(8));
    c.candidate.score = rows.Double(9);
    c.candidate.evidence_json = rows.Text(10);
    c.created_ms = rows.Int(11);
    c.review_status = rows.Text(12);
    c.dataset_id = rows.Int(13);
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<int64_t> SweepDataset(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement sweep, txn.Prepare("SELECT dataset_id FROM sweeps WHERE id = ?"));
  sweep.Bind(1, sweep_id);
  FS_ASSIGN_OR_RETURN(bool found, sweep.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("sweep ", sweep_id, " not found"));
  return sweep.Int(0);
}

}  // namespace

absl::Status ReplaceRelabelCandidates(SqliteDb& db, int64_t sweep_id, const std::string& method,
                                      const std::vector<RelabelCandidate>& rows, int64_t now_ms) {
  if (method.empty()) return absl::InvalidArgumentError("relabel candidates: empty method");
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  FS_ASSIGN_OR_RETURN(int64_t dataset_id, SweepDataset(*txn, sweep_id));
  {
    FS_ASSIGN_OR_RETURN(Statement clear, txn->Prepare(
        "DELETE FROM relabel_candidates WHERE sweep_id = ? AND method = ?"));
    FS_RETURN_IF_ERROR(clear.Bind(1, sweep_id).Bind(2, method).Run().status());
  }
  FS_ASSIGN_OR_RETURN(Statement check, txn->Prepare(
      "SELECT 1 FROM samples WHERE id = ? AND dataset_id = ?"));
  FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
      "INSERT INTO relabel_candidates(sweep_id, method, sample_id, person, kind, given_label, "
      "suggested_label, score, evidence, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (size_t i = 0; i < rows.size(); ++i) {
    const RelabelCandidate& c = rows[i];
    if (c.sample_id != 0) {
      check.Reset();
      check.Bind(1, c.sample_id).Bind(2, dataset_id);
      FS_ASSIGN_OR_RETURN(bool found, check.Step());
      if (!found) {
        return absl::InvalidArgumentError(absl::StrCat(
            "relabel candidate ", i, ": sample ", c.sample_id, " is not in sweep ", sweep_id,
            "'s dataset"));
      }
    } else if (c.person.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("relabel candidate ", i, ": neither a sample nor a person"));
    }
    insert.Reset();
    insert.Bind(1, sweep_id).Bind(2, method).Bind(4, c.person).Bind(5, c.kind)
        .Bind(6, c.given_label).Bind(7, c.suggested_label).Bind(8, c.score)
        .Bind(9, c.evidence_json.empty() ? "{}" : c.evidence_json).Bind(10, now_ms);
    if (c.sample_id != 0) {
      insert.Bind(3, c.sample_id);
    } else {
      insert.BindNull(3);
    }
    FS_RETURN_IF_ERROR(insert.Run().status());
  }
  check.Reset();
  insert.Reset();
  return txn->Commit();
}

absl::StatusOr<std::vector<StoredRelabelCandidate>> ListRelabelCandidates(SqliteDb& db,
                                                                          int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_RETURN_IF_ERROR(SweepDataset(*txn, sweep_id).status());
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(absl::StrCat(
      kSelectCandidates, "WHERE v.sweep_id = ? ORDER BY v.score DESC, v.candidate_id")));
  rows.Bind(1, sweep_id);
  return ReadCandidates(rows);
}

absl::StatusOr<std::vector<StoredRelabelCandidate>> PendingCandidatesFor(
    SqliteDb& db, int64_t dataset_id, const std::string& target) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(absl::StrCat(
      kSelectCandidates,
      "WHERE v.dataset_id = ? AND COALESCE(v.sample_key, v.person) = ? "
      "AND v.review_status = 'pending' ORDER BY v.score DESC, v.candidate_id DESC")));
  rows.Bind(1, dataset_id).Bind(2, target);
  return ReadCandidates(rows);
}

}  // namespace foldstack::coordinator
