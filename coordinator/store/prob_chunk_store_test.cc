#include "coordinator/store/prob_chunk_store.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "coordinator/store/probs_json.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

std::vector<float> RandomProbs(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> probs(count);
  for (float& p : probs) p = unit(rng);
  return probs;
}

// Every row the view `sql` returns (id, probs JSON) must equal, bit for bit, what was stored.
void ExpectViewRowsExact(SqliteDb& db, const std::string& sql, const std::vector<int64_t>& ids,
                         const std::vector<float>& probs, int width) {
  auto txn = Transaction::Begin(db, Transaction::Mode::kDeferred);
  ASSERT_TRUE(txn.ok());
  auto rows = (*txn)->Prepare(sql);
  ASSERT_TRUE(rows.ok()) << rows.status();
  size_t seen = 0;
  while (*rows->Step()) {
    const size_t at = static_cast<size_t>(std::find(ids.begin(), ids.end(), rows->Int(0)) - ids.begin());
    ASSERT_LT(at, ids.size()) << rows->Int(0);
    absl::StatusOr<std::vector<float>> parsed = ParseProbsJson(rows->Text(1));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_EQ(parsed->size(), static_cast<size_t>(width));
    EXPECT_EQ(std::memcmp(parsed->data(), probs.data() + at * width, width * sizeof(float)), 0) << rows->Text(1);
    ++seen;
  }
  EXPECT_EQ(seen, ids.size());
}

TEST(ProbChunkStoreTest, RowsGoInChunksOf512AndRepeatsAreKeptOnce) {
  auto db = OpenFreshDb("chunks_append");
  MakeToySweep(*db, 1, 1, 4);
  const int64_t job = QueryInt(*db, "SELECT id FROM jobs");
  std::vector<int64_t> ids(1100);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i) * 3 + 1;
  const std::vector<float> probs = RandomProbs(ids.size() * 18, 1);
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    auto stored = AppendProbRows(**txn, ChunkTable::kOof, job, ids, probs, 18);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(*stored, 1100);
    // The last 50 again, one new id twice: only the new one is stored.
    std::vector<int64_t> again(ids.end() - 50, ids.end());
    again.push_back(2);
    again.push_back(2);
    std::vector<float> again_probs(probs.end() - 50 * 18, probs.end());
    again_probs.resize(again.size() * 18, 1.0f / 18);
    stored = AppendProbRows(**txn, ChunkTable::kOof, job, again, again_probs, 18);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(*stored, 1);
    EXPECT_EQ(*CountProbRows(**txn, ChunkTable::kOof, job), 1101);
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM oof_chunks"), 4);
  EXPECT_EQ(QueryInt(*db, "SELECT MAX(n) FROM oof_chunks"), 512);
  EXPECT_EQ(QueryInt(*db, "SELECT COUNT(*) FROM predictions WHERE sample_id = 2"), 1);
  ExpectViewRowsExact(*db, "SELECT sample_id, probs FROM predictions WHERE sample_id != 2", ids,
                      probs, 18);
  auto txn = Transaction::Begin(*db);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(DeleteProbRows(**txn, ChunkTable::kOof, job).ok());
  EXPECT_EQ(*CountProbRows(**txn, ChunkTable::kOof, job), 0);
}

TEST(ProbChunkStoreTest, EvalRowsOfAnyWidthReadBackExactlyThroughTheView) {
  auto db = OpenFreshDb("chunks_eval");
  MakeToySweep(*db, 1, 1, 4);
  {
    auto txn = Transaction::Begin(*db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->ExecScript(R"sql(
INSERT INTO prediction_runs(id, eval_root, members_json, num_classes, state, created_ms, submitted_by)
  VALUES(1, '/e', '[]', 3, 'running', 1, 'abc');
INSERT INTO prediction_jobs(id, run_id, train_job_id, weight, max_attempts, queued_ms)
  SELECT 1, 1, id, 1.0, 3, 1 FROM jobs;
)sql", "run").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  for (int width : {2, 3}) {
    const std::vector<int64_t> rows = {0, 5, 3, 600};
    std::vector<float> probs = RandomProbs(rows.size() * width, static_cast<uint32_t>(width));
    probs[0] = -0.0f;  // shows as 0
    {
      auto txn = Transaction::Begin(*db);
      ASSERT_TRUE(txn.ok());
      ASSERT_TRUE(DeleteProbRows(**txn, ChunkTable::kEval, 1).ok());
      auto stored = AppendProbRows(**txn, ChunkTable::kEval, 1, rows, probs, width);
      ASSERT_TRUE(stored.ok()) << stored.status();
      ASSERT_TRUE((*txn)->Commit().ok());
    }
    probs[0] = 0.0f;
    ExpectViewRowsExact(*db, "SELECT idx, probs FROM eval_probs WHERE prediction_job_id = 1", rows, probs, width);
    EXPECT_EQ(QueryInt(*db, "SELECT substr(probs, 1, 2) = '[0' FROM eval_probs WHERE idx = 0"), 1);
  }
}

TEST(ProbChunkStoreTest, WrongShapeIsRefusedAndStoresNothing) {
  auto db = OpenFreshDb("chunks_shape");
  MakeToySweep(*db, 1, 1, 4);
  const int64_t job = QueryInt(*db, "SELECT id FROM jobs");
  auto txn = Transaction::Begin(*db);
  ASSERT_TRUE(txn.ok());
  auto stored = AppendProbRows(**txn, ChunkTable::kOof, job, {1, 2}, {0.5f, 0.5f, 1.0f}, 2);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*CountProbRows(**txn, ChunkTable::kOof, job), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
