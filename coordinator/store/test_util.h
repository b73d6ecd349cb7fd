// Test helpers: fresh database files under TEST_TMPDIR and small constructed datasets/sweeps.
#ifndef FOLDSTACK_COORDINATOR_STORE_TEST_UTIL_H_
#define FOLDSTACK_COORDINATOR_STORE_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"

#include "coordinator/store/dataset_store.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/store/sweep_store.h"

namespace foldstack::coordinator::testing {

// A path for a new database file, unique within this test process.
std::string FreshDbPath(const std::string& name);

// A migrated Foldstack database at a fresh path (fails the test on error).
std::unique_ptr<SqliteDb> OpenFreshDb(const std::string& name);

// Regular files under `root`, recursively (e.g. an artifacts folder: temp files count too).
int CountFilesUnder(const std::string& root);

// A single integer from a read-only query (e.g. "SELECT COUNT(*) FROM jobs"); -1 on error/no row.
int64_t QueryInt(SqliteDb& db, const std::string& sql);

// `n` samples "img/<i>.jpg", labels i % num_classes, group "p<i / 2>".
DatasetRecord MakeDataset(int n, int num_classes, const std::string& root = "/data/toy");

// Folds i % k for every sample.
std::vector<int32_t> RoundRobinFolds(int n, int k);

struct ToySweep {
  int64_t dataset_id = 0;
  int64_t split_id = 0;
  int64_t sweep_id = 0;
};

// Dataset of `samples` samples (3 classes), split round-robin into k folds, and a sweep of
// `trials` trials ({"lr": 0.1 * (t + 1)}) with the given max_attempts.
ToySweep MakeToySweep(SqliteDb& db, int trials, int k, int samples = 12, int max_attempts = 3,
                      int64_t now_ms = 1000);

// As MakeToySweep on the mask task's 18 classes (labels i % 18), one trial per params JSON (e.g.
// {"task": "age"}).
ToySweep MakeMaskSweep(SqliteDb& db, const std::vector<std::string>& trial_params, int k, int samples);

// Stores trial `trial_idx`'s OOF predictions as workers' reports would: probs(i) for the sample at
// index i of a toy sweep's first `samples` samples, from the job of fold i % k (MakeToySweep's
// round-robin split), and marks the trial's jobs done.
absl::Status StoreToyOof(SqliteDb& db, int64_t sweep_id, int trial_idx, int samples, int k,
                         const std::function<std::vector<float>(int)>& probs);

}  // namespace foldstack::coordinator::testing

#endif  // FOLDSTACK_COORDINATOR_STORE_TEST_UTIL_H_
