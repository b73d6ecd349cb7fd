// Versioned schema migrations, tracked in PRAGMA user_version.
//
// A database at version N has had migration steps 1..N applied. Opening applies the missing steps
// in order, each in its own transaction (the step and its new user_version commit together), and
// refuses a database written by a newer binary rather than guessing at its schema.
#ifndef FOLDSTACK_COORDINATOR_STORE_MIGRATIONS_H_
#define FOLDSTACK_COORDINATOR_STORE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct Migration {
  int version;       // 1, 2, 3, ... in order, no gaps
  std::string name;  // for error messages
  std::string sql;   // DDL script
  // Runs after `sql` in the same transaction, for changes SQL alone cannot make (may be empty).
  std::function<absl::Status(Transaction&)> after;
};

// Foldstack's schema history: 1 = tables and indexes, 2 = analyst views (dashboards/views.sql),
// 3 = label versions/overrides, relabel candidates, ensembles, and views.sql again. A step that
// changes views.sql appends kViewsSql to its script (views are dropped and re-created).
// 4 = kept models and prediction runs (prediction_schema.h), 5 = adaptive sweeps, 6 = draining
// workers, 7 = the artifact store (artifact_store.h), 8 = ensembles across sweeps (ensemble_sweeps),
// 9 = the audit trail (audit_store.h), 10 = views again, 11 = probability rows as float32 chunks
// (prob_chunk_schema.h).
const std::vector<Migration>& FoldstackMigrations();

// Brings `db` up to the last step of `steps`. Fails with FAILED_PRECONDITION, naming both
// versions, when the database is newer than `steps` knows.
absl::Status Migrate(SqliteDb& db, const std::vector<Migration>& steps);

// The database's current user_version.
absl::StatusOr<int> SchemaVersion(SqliteDb& db);

// Open + Migrate with FoldstackMigrations(): what the coordinator calls at start-up.
absl::StatusOr<std::unique_ptr<SqliteDb>> OpenFoldstackDb(const std::string& path);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_MIGRATIONS_H_
