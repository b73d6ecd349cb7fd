#include "tests/testing/results_db.h"

#include <sqlite3.h>

#include <cstdlib>

#include <gtest/gtest.h>

namespace foldstack::testing {

std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const unsigned char* text = sqlite3_column_text(statement, i);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

double QueryNumber(const std::string& db_path, const std::string& sql) {
  auto rows = Query(db_path, sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    ADD_FAILURE() << sql << ": expected one cell";
    return 0;
  }
  return std::atof(rows[0][0].c_str());
}

std::map<std::string, std::pair<std::string, std::string>> SweepSplit(const std::string& db_path, int64_t sweep_id) {
  std::map<std::string, std::pair<std::string, std::string>> split;
  for (const auto& row : Query(db_path, "SELECT s.sample_key, f.fold, s.label FROM sweeps w "
                                        "JOIN split_folds f ON f.split_id = w.split_id "
                                        "JOIN samples s ON s.id = f.sample_id WHERE w.id = " +
                                            std::to_string(sweep_id))) {
    split[row[0]] = {row[1], row[2]};
  }
  return split;
}

}  // namespace foldstack::testing
