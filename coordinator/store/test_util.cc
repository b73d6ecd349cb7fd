#include "coordinator/store/test_util.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/migrations.h"
#include "coordinator/store/prob_chunk_store.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator::testing {

std::string FreshDbPath(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "-", counter++, ".db");
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return path;
}

int CountFilesUnder(const std::string& root) {
  int n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) n += entry.is_regular_file();
  return n;
}

std::unique_ptr<SqliteDb> OpenFreshDb(const std::string& name) {
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = OpenFoldstackDb(FreshDbPath(name));
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

int64_t QueryInt(SqliteDb& db, const std::string& sql) {
  auto txn = Transaction::Begin(db, Transaction::Mode::kDeferred);
  if (!txn.ok()) return -1;
  auto stmt = (*txn)->Prepare(sql);
  if (!stmt.ok()) {
    ADD_FAILURE() << stmt.status();
    return -1;
  }
  auto row = stmt->Step();
  if (!row.ok() || !*row) return -1;
  return stmt->Int(0);
}

DatasetRecord MakeDataset(int n, int num_classes, const std::string& root) {
  DatasetRecord dataset{"mask", root, num_classes, {}};
  for (int i = 0; i < n; ++i) {
    dataset.samples.push_back({absl::StrCat("img/", i, ".jpg"), i % num_classes,
                               absl::StrCat("p", i / 2)});
  }
  return dataset;
}

std::vector<int32_t> RoundRobinFolds(int n, int k) {
  std::vector<int32_t> folds(n);
  for (int i = 0; i < n; ++i) folds[i] = i % k;
  return folds;
}

namespace {

// A dataset of `samples` samples and `num_classes` classes, split round-robin into k folds, and a
// sweep with one trial per params JSON.
ToySweep MakeSweep(SqliteDb& db, int num_classes, const std::vector<std::string>& trial_params, int k, int samples,
                   int max_attempts, int64_t now_ms) {
  ToySweep toy;
  auto dataset_id = EnsureDataset(db, MakeDataset(samples, num_classes), now_ms);
  EXPECT_TRUE(dataset_id.ok()) << dataset_id.status();
  toy.dataset_id = dataset_id.value_or(0);
  auto split_id =
      InsertSplit(db, toy.dataset_id, SplitParams{k, 42, "", false}, RoundRobinFolds(samples, k),
                  now_ms);
  EXPECT_TRUE(split_id.ok()) << split_id.status();
  toy.split_id = split_id.value_or(0);
  SweepRecord sweep;
  sweep.name = "toy";
  sweep.yaml = absl::StrCat("name: toy\nmethod: grid\ndataset: {kind: mask, root: /data/toy}\n",
                            "folds: {k: ", k, "}\nparameters:\n  lr: {values: [");
  for (size_t t = 0; t < trial_params.size(); ++t) absl::StrAppend(&sweep.yaml, t > 0 ? ", " : "", 0.1 * (t + 1));
  absl::StrAppend(&sweep.yaml, "]}\n");
  sweep.spec_json = "{}";
  sweep.dataset_id = toy.dataset_id;
  sweep.split_id = toy.split_id;
  sweep.max_attempts = max_attempts;
  sweep.submitted_by = "abc123";
  sweep.trial_params_json = trial_params;
  auto created = InsertSweep(db, sweep, now_ms);
  EXPECT_TRUE(created.ok()) << created.status();
  toy.sweep_id = created.ok() ? created->sweep_id : 0;
  return toy;
}

}  // namespace

ToySweep MakeToySweep(SqliteDb& db, int trials, int k, int samples, int max_attempts,
                      int64_t now_ms) {
  std::vector<std::string> params;
  for (int t = 0; t < trials; ++t) params.push_back(absl::StrCat("{\"lr\": ", 0.1 * (t + 1), "}"));
  return MakeSweep(db, 3, params, k, samples, max_attempts, now_ms);
}

ToySweep MakeMaskSweep(SqliteDb& db, const std::vector<std::string>& trial_params, int k, int samples) {
  return MakeSweep(db, 18, trial_params, k, samples, 3, 1000);
}

absl::Status StoreToyOof(SqliteDb& db, int64_t sweep_id, int trial_idx, int samples, int k,
                         const std::function<std::vector<float>(int)>& probs) {
  FS_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  FS_ASSIGN_OR_RETURN(Statement job_of, txn->Prepare(
      "SELECT j.id FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE t.sweep_id = ? AND t.idx = ? AND j.fold = ?"));
  FS_ASSIGN_OR_RETURN(Statement sample_of, txn->Prepare(
      "SELECT s.id FROM samples s JOIN sweeps w ON w.dataset_id = s.dataset_id WHERE w.id = ? AND s.idx = ?"));
  for (int fold = 0; fold < k; ++fold) {
    job_of.Reset();
    job_of.Bind(1, sweep_id).Bind(2, trial_idx).Bind(3, fold);
    FS_ASSIGN_OR_RETURN(bool found, job_of.Step());
    if (!found) return absl::InternalError(absl::StrCat("trial ", trial_idx, " has no fold ", fold));
    const int64_t job_id = job_of.Int(0);
    std::vector<int64_t> ids;
    std::vector<float> rows;
    int32_t width = 0;
    for (int i = fold; i < samples; i += k) {
      sample_of.Reset();
      sample_of.Bind(1, sweep_id).Bind(2, i);
      FS_ASSIGN_OR_RETURN(bool sample, sample_of.Step());
      if (!sample) return absl::InternalError(absl::StrCat("no sample ", i));
      ids.push_back(sample_of.Int(0));
      const std::vector<float> row = probs(i);
      width = static_cast<int32_t>(row.size());
      rows.insert(rows.end(), row.begin(), row.end());
    }
    FS_ASSIGN_OR_RETURN(int64_t stored, AppendProbRows(*txn, ChunkTable::kOof, job_id, ids, rows, width));
    if (stored != static_cast<int64_t>(ids.size())) {
      return absl::InternalError(absl::StrCat("fold ", fold, ": ", stored, " of ", ids.size(), " rows stored"));
    }
  }
  FS_ASSIGN_OR_RETURN(Statement done, txn->Prepare(
      "UPDATE jobs SET state = 'done' WHERE trial_id = (SELECT id FROM trials WHERE sweep_id = ? AND idx = ?)"));
  FS_RETURN_IF_ERROR(done.Bind(1, sweep_id).Bind(2, trial_idx).Run().status());
  return txn->Commit();
}

}  // namespace foldstack::coordinator::testing
