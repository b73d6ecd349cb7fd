// A small RAII wrapper around one SQLite connection.
//
// Thread safety: one connection, guarded by one mutex. Every use of the database goes through a
// Transaction, which holds that mutex for its whole life, so callers on many threads (the gRPC
// server) are serialised. SQLite's own WAL mode still lets other processes (the sqlite3 CLI of an
// analyst) read while we write.
//
// Data only ever moves through prepared statements (cached: prepared once per SQL text, then reset
// and re-bound per use); DDL (migrations, views) goes through Transaction::ExecScript.
#ifndef FOLDSTACK_COORDINATOR_STORE_SQLITE_DB_H_
#define FOLDSTACK_COORDINATOR_STORE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

struct sqlite3;
struct sqlite3_stmt;

namespace foldstack::coordinator {

class SqliteDb;

// A cached prepared statement, borrowed for one use: it is reset (and its bindings cleared) when
// the Statement goes out of scope, so it never keeps a read cursor open. Parameters are 1-based.
class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, absl::string_view value);
  Statement& Bind(int index, const char* value) { return Bind(index, absl::string_view(value)); }
  Statement& Bind(int index, const std::string& value) { return Bind(index, absl::string_view(value)); }
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& BindNull(int index);
  // Binds bytes as a BLOB (Bind(string_view) binds TEXT).
  Statement& BindBlob(int index, absl::string_view bytes);

  // Advances: true when a row is available, false when done. The first binding error, if any,
  // is reported here.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows (INSERT/UPDATE/DELETE); returns the rows it changed.
  absl::StatusOr<int64_t> Run();
  // Re-arms the statement for another execution with new bindings (bindings are kept).
  void Reset();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  // A BLOB (or TEXT) column's bytes without a copy; valid until the next Step, Reset or column call.
  absl::string_view Blob(int column) const;

 private:
  friend class Transaction;
  Statement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  absl::Status Error(absl::string_view step) const;
  void NoteBind(int rc, int index);

  SqliteDb* db_;
  sqlite3_stmt* stmt_;
  absl::Status bind_status_;
};

struct SqliteOptions {
  int busy_timeout_ms = 5000;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database at `path` with WAL journaling, synchronous=NORMAL,
  // foreign_keys=ON and the busy timeout. ":memory:" works too (then without WAL).
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                        const SqliteOptions& options = {});
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  const std::string& path() const { return path_; }

 private:
  friend class Statement;
  friend class Transaction;
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  absl::Status Exec(absl::string_view sql, absl::string_view step);
  absl::StatusOr<sqlite3_stmt*> Prepared(absl::string_view sql);

  absl::Mutex mu_;
  sqlite3* db_;
  std::string path_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> cache_;  // by SQL text
};

// Holds the connection's mutex and an open SQLite transaction. Without Commit(), the destructor
// rolls back, so an error return anywhere leaves nothing half-written.
class Transaction {
 public:
  enum class Mode { kImmediate, kDeferred };
  // kImmediate (BEGIN IMMEDIATE) takes the write lock up front: use it for anything that writes.
  // kDeferred suits read-only work.
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(SqliteDb& db,
                                                            Mode mode = Mode::kImmediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // A cached prepared statement for `sql`, ready for binding.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // Runs several DDL statements (schema, views). Not for data.
  absl::Status ExecScript(absl::string_view sql, absl::string_view step);
  // Reads/writes a PRAGMA integer (user_version).
  absl::StatusOr<int64_t> PragmaInt(absl::string_view name);
  absl::Status SetPragmaInt(absl::string_view name, int64_t value);

  absl::Status Commit();

 private:
  explicit Transaction(SqliteDb& db);
  SqliteDb& db_;
  absl::MutexLock lock_;
  bool open_ = false;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_SQLITE_DB_H_
