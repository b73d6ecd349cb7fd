// Read-only queries against the results database, as an analyst would run them.
#ifndef FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_
#define FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace foldstack::testing {

// Rows of `sql` as text cells (NULL -> ""); an SQL error fails the calling test.
std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql);

// The single cell of a one-row, one-column query, as a number.
double QueryNumber(const std::string& db_path, const std::string& sql);

// sample_key -> (fold, label) in the split the sweep's jobs fetch with GetSplit.
std::map<std::string, std::pair<std::string, std::string>> SweepSplit(const std::string& db_path, int64_t sweep_id);

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_RESULTS_DB_H_
