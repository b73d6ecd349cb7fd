#include "coordinator/store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace foldstack::coordinator {
namespace {

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:  // an operator's matter (a remount); callers may retry, as for BUSY
      return absl::StatusCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTFOUND:
      return absl::StatusCode::kNotFound;
    case SQLITE_FULL:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kInternal;
  }
}

// What the caller should know besides SQLite's words: a full or read-only database refuses writes
// only (the transaction rolled back whole) and comes back by itself once the operator frees space
// or remounts it.
const char* Consequence(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return " (the results database cannot grow: free disk space; nothing of this write was stored, "
             "reads still work)";
    case SQLITE_READONLY:
      return " (the results database is read-only: nothing of this write was stored, reads still work)";
    default:
      return "";
  }
}

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view step) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", step, ": ", message, Consequence(rc)));
}

// The SQL text shortened for error messages.
std::string Shorten(absl::string_view sql) {
  constexpr size_t kMax = 80;
  if (sql.size() <= kMax) return std::string(sql);
  return absl::StrCat(sql.substr(0, kMax), "...");
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_status_(std::move(other.bind_status_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = SqliteError(db_->db_, rc, absl::StrCat("bind ?", index, " of \"",
                                                           Shorten(sqlite3_sql(stmt_)), "\""));
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, absl::string_view value) {
  NoteBind(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT),
           index);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  NoteBind(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

absl::Status Statement::Error(absl::string_view step) const {
  return SqliteError(db_->db_, sqlite3_errcode(db_->db_),
                     absl::StrCat(step, " \"", Shorten(sqlite3_sql(stmt_)), "\""));
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error("step");
}

absl::StatusOr<int64_t> Statement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  return sqlite3_changes64(db_->db_);
}

void Statement::Reset() { sqlite3_reset(stmt_); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

absl::string_view Statement::Blob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return {};
  return absl::string_view(static_cast<const char*>(bytes), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ------------------------------------------------------------------------------------------------
// SqliteDb

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                         const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(raw, rc, absl::StrCat("open ", path));
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // Small pages: a job's state change dirties a handful of index pages, and each dirty page is one
  // WAL frame written per commit (only takes effect when the file is created).
  absl::Status status = db->Exec("PRAGMA page_size=1024", "set page_size");
  if (status.ok()) status = db->Exec("PRAGMA journal_mode=WAL", "set journal_mode=WAL");
  if (status.ok()) status = db->Exec("PRAGMA synchronous=NORMAL", "set synchronous=NORMAL");
  if (status.ok()) status = db->Exec("PRAGMA foreign_keys=ON", "set foreign_keys=ON");
  // Hot pages (the jobs indexes) are rewritten by every commit; checkpointing every 4,000 WAL pages
  // instead of SQLite's 1,000 copies each of them back to the database file a quarter as often.
  if (status.ok()) status = db->Exec("PRAGMA wal_autocheckpoint=4000", "set wal_autocheckpoint");
  if (status.ok()) status = db->Exec("PRAGMA cache_size=-65536", "set cache_size");
  if (!status.ok()) return status;
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& entry : cache_) sqlite3_finalize(entry.second);
  sqlite3_close(db_);
}

absl::Status SqliteDb::Exec(absl::string_view sql, absl::string_view step) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status(CodeFor(rc), absl::StrCat("sqlite: ", step, ": ",
                                                message != nullptr ? message : sqlite3_errstr(rc), Consequence(rc)));
  sqlite3_free(message);
  return status;
}

absl::StatusOr<sqlite3_stmt*> SqliteDb::Prepared(absl::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(db_, rc, absl::StrCat("prepare \"", Shorten(sql), "\""));
  }
  cache_.emplace(std::string(sql), stmt);
  return stmt;
}

// ------------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(SqliteDb& db) : db_(db), lock_(&db.mu_) {}

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(SqliteDb& db, Mode mode) {
  std::unique_ptr<Transaction> txn(new Transaction(db));
  const bool immediate = mode == Mode::kImmediate;
  absl::Status status = db.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED",
                                immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!status.ok()) return status;
  txn->open_ = true;
  return txn;
}

Transaction::~Transaction() {
  if (open_) db_.Exec("ROLLBACK", "ROLLBACK").IgnoreError();
}

absl::StatusOr<Statement> Transaction::Prepare(absl::string_view sql) {
  absl::StatusOr<sqlite3_stmt*> stmt = db_.Prepared(sql);
  if (!stmt.ok()) return stmt.status();
  return Statement(&db_, *stmt);
}

absl::Status Transaction::ExecScript(absl::string_view sql, absl::string_view step) {
  return db_.Exec(sql, step);
}

absl::StatusOr<int64_t> Transaction::PragmaInt(absl::string_view name) {
  // A PRAGMA name cannot be bound as a parameter; callers pass constants only.
  absl::StatusOr<Statement> stmt = Prepare(absl::StrCat("PRAGMA ", name));
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("sqlite: PRAGMA ", name, ": no value"));
  return stmt->Int(0);
}

absl::Status Transaction::SetPragmaInt(absl::string_view name, int64_t value) {
  return db_.Exec(absl::StrCat("PRAGMA ", name, " = ", value), absl::StrCat("set ", name));
}

absl::Status Transaction::Commit() {
  absl::Status status = db_.Exec("COMMIT", "COMMIT");
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace foldstack::coordinator
