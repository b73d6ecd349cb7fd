// An online copy of the results database with SQLite's backup API: a consistent snapshot taken
// while the coordinator keeps serving. In WAL mode the copy runs inside one read transaction, which
// never blocks the coordinator's writers; the writes that land meanwhile are simply not in it.
#ifndef FOLDSTACK_COORDINATOR_STORE_BACKUP_H_
#define FOLDSTACK_COORDINATOR_STORE_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace foldstack::coordinator {

struct BackupResult {
  int64_t pages = 0;
  int64_t bytes = 0;
  int schema_version = 0;  // the copy's PRAGMA user_version
};

// Copies `db_path` to `out_path`: written to a temp file beside it, checked with PRAGMA
// integrity_check, fsynced and renamed into place, so `out_path` is a whole database or absent.
// Refuses an `out_path` that exists and a `db_path` that is not a Foldstack database.
absl::StatusOr<BackupResult> BackupDatabase(const std::string& db_path, const std::string& out_path);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_BACKUP_H_
