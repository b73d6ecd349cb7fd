#include "coordinator/managers/audit_manager.h"

#include <algorithm>
#include <iostream>

#include "common/status_macros.h"

namespace foldstack::coordinator {

absl::Status AuditManager::Record(absl::string_view who, AuditAction action, absl::string_view object_id) {
  return AppendAudit(db_, {0, clock_.NowMs(), std::string(who), std::string(AuditActionName(action)),
                           std::string(object_id)});
}

void AuditManager::LogFailure(const absl::Status& recorded) {
  if (!recorded.ok()) std::cerr << "foldstack-coordinator: audit: " << recorded.message() << std::endl;
}

absl::StatusOr<v1::ListAuditResponse> AuditManager::ListAudit(const v1::ListAuditRequest& request) {
  if (request.limit() < 0) return absl::InvalidArgumentError("audit: --limit expects 0 (50) or more rows");
  const int64_t limit = request.limit() == 0 ? 50 : std::min<int64_t>(request.limit(), 10000);
  FS_ASSIGN_OR_RETURN(std::vector<AuditRow> rows, LoadAudit(db_, limit));
  v1::ListAuditResponse response;
  for (const AuditRow& row : rows) {
    v1::AuditEntry* entry = response.add_entries();
    entry->set_id(row.id);
    entry->set_at_unix_ms(row.at_ms);
    entry->set_who(row.who);
    entry->set_action(row.action);
    entry->set_object_id(row.object_id);
  }
  return response;
}

}  // namespace foldstack::coordinator
