// Read-only queries against the results database, as an analyst would run them.
#ifndef FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_
#define FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_

#include <string>
#include <vector>

namespace foldstack::testing {

// Rows of `sql` as text cells (NULL -> ""); an SQL error fails the calling test.
std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql);

// The single cell of a one-row, one-column query, as a number.
double QueryNumber(const std::string& db_path, const std::string& sql);

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_
