#include "coordinator/store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

namespace fs = std::filesystem;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

absl::StatusOr<DbHandle> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot open: ", raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

// The first column of the first row of `sql`, as text ("" for none).
absl::StatusOr<std::string> QueryText(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", sqlite3_errmsg(db)));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  const int rc = sqlite3_step(raw);
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return absl::FailedPreconditionError(absl::StrCat(path, ": ", sqlite3_errmsg(db)));
  const unsigned char* text = sqlite3_column_text(raw, 0);
  return std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
}

// The whole source in one step: one read transaction, so the copy is one consistent snapshot.
absl::Status CopyPages(sqlite3* source, sqlite3* copy, const std::string& db_path, int64_t* pages) {
  sqlite3_backup* backup = sqlite3_backup_init(copy, "main", source, "main");
  if (backup == nullptr) return absl::InternalError(absl::StrCat("backup of ", db_path, ": ", sqlite3_errmsg(copy)));
  int rc = SQLITE_OK;
  for (int tries = 0; tries < 100; ++tries) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  *pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(absl::StrCat("backup of ", db_path, ": ", sqlite3_errstr(rc)));
  }
  return absl::OkStatus();
}

absl::Status SyncAndRename(const std::string& temp, const std::string& out) {
  const int fd = ::open(temp.c_str(), O_RDONLY);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code error;
  if (synced) fs::rename(temp, out, error);
  if (!synced || error) return absl::InternalError(absl::StrCat(out, ": cannot write the copy into place"));
  const fs::path parent = fs::absolute(out).parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupResult> CopyTo(const std::string& db_path, const std::string& temp) {
  FS_ASSIGN_OR_RETURN(DbHandle source, Open(db_path, SQLITE_OPEN_READONLY));
  FS_ASSIGN_OR_RETURN(std::string has_schema,
                      QueryText(source.get(), db_path, "SELECT name FROM sqlite_master WHERE name = 'sweeps'"));
  if (has_schema.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(db_path, ": not a Foldstack results database (no sweeps table)"));
  }
  FS_ASSIGN_OR_RETURN(DbHandle copy, Open(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  BackupResult result;
  FS_RETURN_IF_ERROR(CopyPages(source.get(), copy.get(), db_path, &result.pages));
  // The copy is a standalone file: no -wal beside it once closed.
  FS_RETURN_IF_ERROR(QueryText(copy.get(), temp, "PRAGMA journal_mode = DELETE").status());
  FS_ASSIGN_OR_RETURN(std::string integrity, QueryText(copy.get(), temp, "PRAGMA integrity_check"));
  if (integrity != "ok") return absl::DataLossError(absl::StrCat("backup of ", db_path, ": integrity_check: ", integrity));
  FS_ASSIGN_OR_RETURN(std::string version, QueryText(copy.get(), temp, "PRAGMA user_version"));
  result.schema_version = std::atoi(version.c_str());
  return result;
}

}  // namespace

absl::StatusOr<BackupResult> BackupDatabase(const std::string& db_path, const std::string& out_path) {
  std::error_code error;
  if (!fs::is_regular_file(db_path, error)) return absl::NotFoundError(absl::StrCat(db_path, ": no such database"));
  if (fs::exists(out_path, error)) {
    return absl::AlreadyExistsError(absl::StrCat(out_path, ": exists; choose a new file for the backup"));
  }
  const std::string temp = absl::StrCat(out_path, ".tmp-", ::getpid());
  absl::StatusOr<BackupResult> result = CopyTo(db_path, temp);
  if (result.ok()) {
    result->bytes = static_cast<int64_t>(fs::file_size(temp, error));
    if (absl::Status placed = SyncAndRename(temp, out_path); !placed.ok()) result = placed;
  }
  if (!result.ok()) fs::remove(temp, error);
  return result;
}

}  // namespace foldstack::coordinator
