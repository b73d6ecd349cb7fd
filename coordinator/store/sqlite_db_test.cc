#include "coordinator/store/sqlite_db.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::FreshDbPath;
using testing::QueryInt;

std::unique_ptr<SqliteDb> OpenWithTable() {
  auto db = SqliteDb::Open(FreshDbPath("sqlite"));
  EXPECT_TRUE(db.ok()) << db.status();
  auto txn = Transaction::Begin(**db);
  EXPECT_TRUE(txn.ok());
  EXPECT_TRUE((*txn)->ExecScript("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)", "t").ok());
  EXPECT_TRUE((*txn)->Commit().ok());
  return std::move(*db);
}

TEST(SqliteDbTest, OpensInWalModeWithForeignKeys) {
  auto db = OpenWithTable();
  auto txn = Transaction::Begin(*db, Transaction::Mode::kDeferred);
  ASSERT_TRUE(txn.ok());
  auto mode = (*txn)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  auto fk = (*txn)->PragmaInt("foreign_keys");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ(*fk, 1);
}

TEST(SqliteDbTest, CommittedRowsStayAndUncommittedRollBack) {
  auto db = OpenWithTable();
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->Bind(1, "kept").Run().ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->Bind(1, "dropped").Run().ok());
    // No Commit: the scope exit rolls back.
  }
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t"), 1);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t WHERE v = 'dropped'"), 0);
}

TEST(SqliteDbTest, BlobsKeepEveryByte) {
  auto db = OpenWithTable();
  auto txn = Transaction::Begin(*db);
  ASSERT_TRUE(txn.ok());
  const std::string bytes("a\0\xff\x80z", 5);
  auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindBlob(1, bytes).Run().ok());
  auto read = (*txn)->Prepare("SELECT v, typeof(v) FROM t");
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(*read->Step());
  EXPECT_EQ(std::string(read->Blob(0)), bytes);
  EXPECT_EQ(read->Text(1), "blob");
}

TEST(SqliteDbTest, ErrorsNameTheStep) {
  auto db = OpenWithTable();
  auto txn = Transaction::Begin(*db);
  ASSERT_TRUE(txn.ok());
  auto bad = (*txn)->Prepare("SELECT nope FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("prepare \"SELECT nope FROM t\""), std::string::npos)
      << bad.status();
  auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->Bind(1, "x").Run().ok());
  insert->Reset();
  auto duplicate = insert->Bind(1, "x").Run();
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(duplicate.status().message().find("step \"INSERT INTO t"), std::string::npos)
      << duplicate.status();
}

// Inserts a row of 1 KB in its own transaction.
absl::Status InsertRow(SqliteDb& db, int i) {
  auto txn = Transaction::Begin(db);
  if (!txn.ok()) return txn.status();
  auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
  if (!insert.ok()) return insert.status();
  absl::StatusOr<int64_t> ran = insert->Bind(1, std::to_string(i) + std::string(1000, 'x')).Run();
  if (!ran.ok()) return ran.status();
  return (*txn)->Commit();
}

// Inserts rows until the database refuses one (at most 10 MB); returns that refusal.
absl::Status FillUntilRefused(SqliteDb& db) {
  for (int i = 0; i < 10000; ++i) {
    if (absl::Status status = InsertRow(db, i); !status.ok()) return status;
  }
  return absl::OkStatus();
}

void SetPragma(SqliteDb& db, const char* name, int64_t value) {
  auto txn = Transaction::Begin(db, Transaction::Mode::kDeferred);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->SetPragmaInt(name, value).ok());
}

TEST(SqliteDbTest, AFullDatabaseRefusesWritesWholeKeepsReadsAndRecovers) {
  auto db = OpenWithTable();
  int64_t pages = 0;
  {
    auto txn = Transaction::Begin(*db, Transaction::Mode::kDeferred);
    ASSERT_TRUE(txn.ok());
    pages = *(*txn)->PragmaInt("page_count");
  }
  SetPragma(*db, "max_page_count", pages + 8);  // as if the disk filled up
  absl::Status full = FillUntilRefused(*db);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_NE(full.message().find("database or disk is full (the results database cannot grow: free disk space; "
                                "nothing of this write was stored, reads still work)"),
            std::string::npos)
      << full;
  const int64_t stored = QueryInt(*db, "SELECT COUNT(*) FROM t");
  EXPECT_GT(stored, 0);
  SetPragma(*db, "max_page_count", 1 << 30);  // space again
  EXPECT_TRUE(InsertRow(*db, -1).ok());
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t"), stored + 1);
}

TEST(SqliteDbTest, AReadOnlyDatabaseRefusesWritesAsUnavailable) {
  auto db = OpenWithTable();
  SetPragma(*db, "query_only", 1);
  absl::Status refused = FillUntilRefused(*db);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_NE(refused.message().find("(the results database is read-only: nothing of this write was stored, "
                                   "reads still work)"),
            std::string::npos)
      << refused;
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t"), 0);
  SetPragma(*db, "query_only", 0);
  EXPECT_TRUE(InsertRow(*db, 1).ok());
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t"), 1);
}

TEST(SqliteDbTest, StatementsAreCachedAndRebindable) {
  auto db = OpenWithTable();
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    for (int i = 0; i < 3; ++i) {
      auto insert = (*txn)->Prepare("INSERT INTO t(v) VALUES(?)");
      ASSERT_TRUE(insert.ok());
      ASSERT_TRUE(insert->Bind(1, std::to_string(i)).Run().ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }  // The connection's mutex is not re-entrant: a Transaction must end before the next begins.
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM t"), 3);
}

}  // namespace
}  // namespace foldstack::coordinator
