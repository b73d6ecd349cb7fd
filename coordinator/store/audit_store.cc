#include "coordinator/store/audit_store.h"

#include "common/status_macros.h"

namespace foldstack::coordinator {

absl::string_view AuditActionName(AuditAction action) {
  switch (action) {
    case AuditAction::kSubmitSweep:
      return "submit_sweep";
    case AuditAction::kCancelSweep:
      return "cancel_sweep";
    case AuditAction::kUpdateSweep:
      return "update_sweep";
    case AuditAction::kStopTrial:
      return "stop_trial";
    case AuditAction::kDrainWorker:
      return "drain_worker";
    case AuditAction::kReviewLabels:
      return "review_labels";
    case AuditAction::kFindRelabelCandidates:
      return "find_relabel_candidates";
    case AuditAction::kSelectEnsemble:
      return "select_ensemble";
    case AuditAction::kSubmitPrediction:
      return "submit_prediction";
    case AuditAction::kPruneArtifacts:
      return "prune_artifacts";
  }
  return "unknown";
}

absl::Status AppendAudit(SqliteDb& db, const AuditRow& row) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db, Transaction::Mode::kImmediate));
  FS_ASSIGN_OR_RETURN(Statement insert,
                      txn->Prepare("INSERT INTO audit(at_ms, who, action, object_id) VALUES(?, ?, ?, ?)"));
  insert.Bind(1, row.at_ms).Bind(2, row.who).Bind(3, row.action).Bind(4, row.object_id);
  FS_RETURN_IF_ERROR(insert.Run().status());
  return txn->Commit();
}

absl::StatusOr<std::vector<AuditRow>> LoadAudit(SqliteDb& db, int64_t limit) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(Statement select,
                      txn->Prepare("SELECT id, at_ms, who, action, object_id FROM audit ORDER BY id DESC LIMIT ?"));
  select.Bind(1, limit);
  std::vector<AuditRow> rows;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    rows.push_back({select.Int(0), select.Int(1), select.Text(2), select.Text(3), select.Text(4)});
  }
  return rows;
}

}  // namespace foldstack::coordinator
