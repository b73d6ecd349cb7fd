// The audit trail: who (a token's name, never a token) changed what, and when. Rows are only
// appended; the coordinator writes one after each change a person or script asks for.
#ifndef FOLDSTACK_COORDINATOR_STORE_AUDIT_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_AUDIT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

enum class AuditAction {
  kSubmitSweep,
  kCancelSweep,
  kUpdateSweep,  // pause, resume, extend, concurrency
  kStopTrial,
  kDrainWorker,
  kReviewLabels,
  kFindRelabelCandidates,
  kSelectEnsemble,
  kSubmitPrediction,
  kPruneArtifacts,
};

// As stored: "submit_sweep", "cancel_sweep", ...
absl::string_view AuditActionName(AuditAction action);

struct AuditRow {
  int64_t id = 0;
  int64_t at_ms = 0;
  std::string who;
  std::string action;     // AuditActionName
  std::string object_id;  // the sweep, trial, worker, dataset, ensemble or prediction run
};

absl::Status AppendAudit(SqliteDb& db, const AuditRow& row);

// The newest `limit` rows, newest first.
absl::StatusOr<std::vector<AuditRow>> LoadAudit(SqliteDb& db, int64_t limit);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_AUDIT_STORE_H_
