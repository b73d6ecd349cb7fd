// The audit trail's manager: records who (a token's name) changed what, and lists it.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_AUDIT_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_AUDIT_MANAGER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/managers/clock.h"
#include "coordinator/store/audit_store.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

class AuditManager {
 public:
  AuditManager(SqliteDb& db, Clock& clock) : db_(db), clock_(clock) {}

  // One row, stamped now.
  absl::Status Record(absl::string_view who, AuditAction action, absl::string_view object_id);

  // Runs `change` (a manager call returning StatusOr) and, when it succeeds, records it under `who`
  // for the object `object(result)` names (no row when that is ""). Every front end (gRPC, the
  // dashboard) makes its changes through here. A failure to record is logged; the change stands.
  template <typename Change, typename Object>
  auto Run(absl::string_view who, AuditAction action, Change change, Object object) -> decltype(change()) {
    auto result = change();
    if (!result.ok()) return result;
    const std::string object_id = object(*result);
    if (!object_id.empty()) LogFailure(Record(who, action, object_id));
    return result;
  }

  // Newest first; limit 0 means 50, at most 10000; INVALID_ARGUMENT for a negative limit.
  absl::StatusOr<foldstack::v1::ListAuditResponse> ListAudit(const foldstack::v1::ListAuditRequest& request);

 private:
  static void LogFailure(const absl::Status& recorded);

  SqliteDb& db_;
  Clock& clock_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_AUDIT_MANAGER_H_
