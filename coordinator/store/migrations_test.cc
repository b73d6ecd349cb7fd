#include "coordinator/store/migrations.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "coordinator/store/artifact_store.h"
#include "coordinator/store/audit_store.h"
#include "coordinator/store/ensemble_store.h"
#include "coordinator/store/oof_store.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::FreshDbPath;
using testing::QueryInt;

const int kLatest = FoldstackMigrations().back().version;

TEST(MigrationsTest, FreshDatabaseGetsLatestVersion) {
  auto db = OpenFoldstackDb(FreshDbPath("fresh"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'v_leaderboard'"), 1);
}

TEST(MigrationsTest, EveryAnalystViewCanBeQueried) {
  auto db = OpenFoldstackDb(FreshDbPath("views"));
  ASSERT_TRUE(db.ok()) << db.status();
  testing::MakeToySweep(**db, 1, 2);
  for (const char* view : {"v_leaderboard", "v_oof_predictions", "v_jobs", "v_metrics",
                           "v_sweeps", "v_workers", "v_relabel_candidates", "v_label_overrides",
                           "v_ensembles"}) {
    EXPECT_GE(QueryInt(**db, std::string("SELECT COUNT(*) FROM ") + view), 0) << view;
  }
  EXPECT_EQ(QueryInt(**db, "SELECT jobs_queued FROM v_sweeps"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_jobs WHERE state = 'queued'"), 2);
}

TEST(MigrationsTest, ReopeningIsIdempotent) {
  const std::string path = FreshDbPath("reopen");
  {
    auto db = OpenFoldstackDb(path);
    ASSERT_TRUE(db.ok()) << db.status();
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_TRUE(Migrate(**db, FoldstackMigrations()).ok());
}

TEST(MigrationsTest, VersionOneMigratesForward) {
  const std::string path = FreshDbPath("v1");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> only_first(FoldstackMigrations().begin(),
                                            FoldstackMigrations().begin() + 1);
    ASSERT_TRUE(Migrate(**db, only_first).ok());
    EXPECT_EQ(*SchemaVersion(**db), 1);
    EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'"), 0);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_GE(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'"), 2);
}

// A sweep of one trial x 2 queued jobs, written with version 1's columns.
void InsertVersionOneSweep(SqliteDb& db) {
  auto txn = Transaction::Begin(db);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->ExecScript(R"sql(
INSERT INTO datasets(id, kind, root, fingerprint, num_classes, sample_count, created_ms)
  VALUES(1, 'mask', '/data/toy', 'f', 3, 2, 1);
INSERT INTO samples(id, dataset_id, idx, sample_key, label, grp) VALUES(1, 1, 0, 'a.jpg', 0, 'p0');
INSERT INTO samples(id, dataset_id, idx, sample_key, label, grp) VALUES(2, 1, 1, 'b.jpg', 1, 'p1');
INSERT INTO splits(id, dataset_id, k, seed, group_by, stratify, created_ms) VALUES(1, 1, 2, 0, '', 0, 1);
INSERT INTO split_folds VALUES(1, 1, 0), (1, 2, 1);
INSERT INTO sweeps(id, name, yaml, spec_json, dataset_id, split_id, state, max_attempts, created_ms,
  submitted_by) VALUES(1, 'toy', 'name: toy', '{}', 1, 1, 'running', 3, 1, 'abc');
INSERT INTO trials(id, sweep_id, idx, params_json) VALUES(1, 1, 0, '{"lr": 0.1}');
INSERT INTO jobs(sweep_id, trial_id, fold, queued_ms) VALUES(1, 1, 0, 1), (1, 1, 1, 1);
)sql", "v1 sweep").ok());
  ASSERT_TRUE((*txn)->Commit().ok());
}

// Migrations 3 and later on a database with results: rows kept, old jobs have no checkpoint.
TEST(MigrationsTest, VersionTwoGainsReviewAndPredictionTablesAndKeepsItsRows) {
  const std::string path = FreshDbPath("v2");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> first_two(FoldstackMigrations().begin(),
                                           FoldstackMigrations().begin() + 2);
    ASSERT_TRUE(Migrate(**db, first_two).ok());
    InsertVersionOneSweep(**db);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), FoldstackMigrations().back().version);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs WHERE checkpoint_path IS NULL"), 2);
  for (const char* table : {"prediction_runs", "prediction_images", "prediction_jobs", "eval_probs",
                            "v_eval_predictions"}) {
    EXPECT_EQ(QueryInt(**db, std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
  // Existing datasets hold original labels (version 0, no base) and sweeps show it.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM datasets WHERE base_dataset_id IS NULL "
                           "AND label_version = 0"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT label_version FROM v_sweeps"), 0);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_relabel_candidates"), 0);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM label_versions"), 0);
}

// A results database written by the release before the sweep engine (schema 4; how it was made:
// testdata/make_release_v4_db.sh): a val_loss sweep, trial 1 done on both folds, trial 2 done
// on fold 0 with fold 1 queued. It upgrades in place and keeps working.
TEST(MigrationsTest, ReleaseFourDatabaseUpgradesInPlace) {
  const std::string path = FreshDbPath("release_v4");
  std::filesystem::copy_file("coordinator/store/testdata/release_v4.db", path);
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
  // Rows kept; the sweep's objective and budget come from what it was.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs"), 4);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM predictions"), 126);
  EXPECT_EQ(QueryInt(**db, "SELECT trial_budget FROM sweeps"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT goal = 'minimize' AND metric = 'val_loss' FROM sweeps"), 1);
  // Done jobs' value is their val_loss, the sweep's metric; trial states follow their jobs.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs WHERE state = 'done' AND value = val_loss"), 3);
  EXPECT_EQ(QueryInt(**db, "SELECT state = 'done' FROM trials WHERE id = 1"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT state = 'running' FROM trials WHERE id = 2"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT jobs_pruned FROM v_sweeps"), 0);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_leaderboard WHERE value_mean > 2"), 2);
  // The new state is accepted by the widened CHECK, and a typo still is not.
  auto txn = Transaction::Begin(**db);
  ASSERT_TRUE(txn.ok());
  EXPECT_TRUE((*txn)->ExecScript("UPDATE jobs SET state = 'pruned' WHERE id = 4", "prune").ok());
  EXPECT_FALSE((*txn)->ExecScript("UPDATE jobs SET state = 'prunned' WHERE id = 4", "typo").ok());
}

// A results database written by the release with the adaptive sweep engine (schema 5; how it was
// made: testdata/make_release_v5_db.sh): a tpe sweep of val_loss with hyperband, trials done,
// pruned (its other fold cancelled) and in flight, and a label review: candidates found on its done
// trials, one person accepted (label version 1), one rejected. It upgrades in place and keeps working.
TEST(MigrationsTest, ReleaseFiveDatabaseUpgradesInPlace) {
  const std::string path = FreshDbPath("release_v5");
  std::filesystem::copy_file("coordinator/store/testdata/release_v5.db", path);
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM trials"), 4);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM trials WHERE state = 'pruned'"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs WHERE state = 'pruned' AND stopped_epoch = 1"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM predictions"), 168);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM metrics"), 65);
  EXPECT_EQ(QueryInt(**db, "SELECT trial_budget FROM sweeps"), 4);
  EXPECT_EQ(QueryInt(**db, "SELECT jobs_pruned FROM v_sweeps"), 1);
  // The label review survives: candidates, decisions per photo, the label version.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM relabel_candidates"), 121);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM label_versions"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM label_overrides WHERE status = 'accepted'"), 7);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM label_overrides WHERE status = 'rejected'"), 7);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_relabel_candidates WHERE review_status != 'pending'"), 2);
  // Its worker is not draining.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM workers WHERE draining = 0"), 1);
  // The artifact store's table is new, empty, and takes the old jobs' checkpoints.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM artifacts"), 0);
  const int64_t job_id = QueryInt(**db, "SELECT MIN(id) FROM jobs WHERE state = 'done'");
  auto txn = Transaction::Begin(**db);
  ASSERT_TRUE(txn.ok());
  absl::StatusOr<JobPlace> place = LoadJobPlace(**txn, JobTable::kTrain, job_id);
  ASSERT_TRUE(place.ok()) << place.status();
  ArtifactRecord record;
  record.job_id = job_id;
  record.sweep_id = place->sweep_id;
  record.trial_id = place->trial_id;
  record.fold = place->fold;
  record.name = "best.safetensors";
  record.size = 3;
  record.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  record.storage_key = "train-job/best";
  absl::StatusOr<int64_t> id = InsertArtifact(**txn, record);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(InsertArtifact(**txn, record).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE((*txn)->Commit().ok());
  txn->reset();
  txn = Transaction::Begin(**db);
  ASSERT_TRUE(txn.ok());
  absl::StatusOr<std::vector<ArtifactRecord>> listed = ListSweepArtifacts(**txn, place->sweep_id);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, *id);
}

// A database of schema 7 (the release before ensembles across sweeps) holding an ensemble of its
// sweep's trial: it upgrades in place, the ensemble keeps its members and records its sweep, and
// listing the sweep's ensembles still finds it.
TEST(MigrationsTest, VersionSevenDatabaseKeepsItsEnsembles) {
  const std::string path = FreshDbPath("v7");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> first_seven(FoldstackMigrations().begin(), FoldstackMigrations().begin() + 7);
    ASSERT_TRUE(Migrate(**db, first_seven).ok());
    InsertVersionOneSweep(**db);
    auto txn = Transaction::Begin(**db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->ExecScript(R"sql(
INSERT INTO ensembles(id, sweep_id, method, metric, score, nested_score, options, trace, created_ms)
  VALUES(1, 1, 'caruana', 'macro_f1', 0.75, 0.5, '{"library":[1]}', '[]', 9);
INSERT INTO ensemble_members(ensemble_id, trial_id, weight) VALUES(1, 1, 1.0);
)sql", "v7 ensemble").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM ensemble_sweeps WHERE ensemble_id = 1 AND sweep_id = 1"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT trial_sweep_id FROM v_ensembles WHERE ensemble_id = 1"), 1);
  absl::StatusOr<std::vector<StoredEnsemble>> listed = ListEnsembles(**db, 1);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  const StoredEnsemble& kept = (*listed)[0];
  EXPECT_EQ(kept.ensemble_id, 1);
  EXPECT_EQ(kept.created_ms, 9);
  EXPECT_DOUBLE_EQ(kept.record.score, 0.75);
  ASSERT_TRUE(kept.record.nested_score.has_value());
  EXPECT_DOUBLE_EQ(*kept.record.nested_score, 0.5);
  ASSERT_EQ(kept.record.members.size(), 1u);
  EXPECT_EQ(kept.record.members[0].trial_id, 1);
  EXPECT_EQ(kept.record.sweep_ids, std::vector<int64_t>{1});
}

// A database of schema 8 (the release before the audit trail) upgrades in place: its sweeps stay,
// the audit starts empty and takes rows.
TEST(MigrationsTest, VersionEightDatabaseGainsAnEmptyAudit) {
  const std::string path = FreshDbPath("v8");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> first_eight(FoldstackMigrations().begin(), FoldstackMigrations().begin() + 8);
    ASSERT_TRUE(Migrate(**db, first_eight).ok());
    InsertVersionOneSweep(**db);
    EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit'"), 0);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sweeps WHERE id = 1"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM audit"), 0);
  ASSERT_TRUE(AppendAudit(**db, {0, 5, "ana", "cancel_sweep", "1"}).ok());
  absl::StatusOr<std::vector<AuditRow>> rows = LoadAudit(**db, 10);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].who, "ana");
}

std::string QueryPlan(SqliteDb& db, const std::string& sql) {
  auto txn = Transaction::Begin(db, Transaction::Mode::kDeferred);
  EXPECT_TRUE(txn.ok());
  auto plan = (*txn)->Prepare("EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(plan.ok()) << plan.status();
  std::string text;
  while (*plan->Step()) text += plan->Text(3) + "\n";
  return text;
}

// Release 9's leaderboard view computed deviations with a window function over every done job, so
// one sweep's leaderboard scanned all sweeps' jobs.
constexpr char kReleaseNineLeaderboard[] = R"sql(
DROP VIEW v_leaderboard;
CREATE VIEW v_leaderboard AS
WITH done AS (
  SELECT sweep_id, trial_id, macro_f1, accuracy, value,
         macro_f1 - AVG(macro_f1) OVER (PARTITION BY sweep_id, trial_id) AS dev,
         value - AVG(value) OVER (PARTITION BY sweep_id, trial_id) AS value_dev
  FROM jobs WHERE state = 'done')
SELECT d.sweep_id AS sweep_id, d.trial_id AS trial_id, t.params_json AS params, t.state AS trial_state,
       COUNT(*) AS folds_done, AVG(d.macro_f1) AS macro_f1_mean, sqrt(SUM(d.dev * d.dev) / COUNT(*)) AS macro_f1_std,
       AVG(d.accuracy) AS accuracy_mean, AVG(d.value) AS value_mean,
       sqrt(SUM(d.value_dev * d.value_dev) / COUNT(*)) AS value_std
FROM done d JOIN trials t ON t.id = d.trial_id GROUP BY d.sweep_id, d.trial_id;
)sql";

TEST(MigrationsTest, VersionNineLeaderboardViewComesByIndexAfterUpgrade) {
  const std::string path = FreshDbPath("v9");
  const std::string one_sweep = "SELECT * FROM v_leaderboard WHERE sweep_id = 1";
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    const std::vector<Migration> first_nine(FoldstackMigrations().begin(), FoldstackMigrations().begin() + 9);
    ASSERT_TRUE(Migrate(**db, first_nine).ok());
    {
      auto txn = Transaction::Begin(**db);
      ASSERT_TRUE((*txn)->ExecScript(kReleaseNineLeaderboard, "release 9 view").ok());
      ASSERT_TRUE((*txn)->Commit().ok());
    }
    EXPECT_NE(QueryPlan(**db, one_sweep).find("MATERIALIZE"), std::string::npos) << QueryPlan(**db, one_sweep);
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  const std::string plan = QueryPlan(**db, one_sweep);
  EXPECT_NE(plan.find("jobs_by_sweep (sweep_id=? AND state=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("MATERIALIZE"), std::string::npos) << plan;
}

// A schema-10 database with JSON probability rows: 600 samples of 3 classes split in 2 folds, both
// fold jobs done with a row per held-out sample, and a prediction run with 2 eval rows.
constexpr int kV10Samples = 600;

float V10Prob(int sample, int cls) { return cls == 2 ? 0.25f : (sample + 1) / (cls == 0 ? 997.0f : 1009.0f); }

std::string V10Json(int sample) {
  // Schema 10 wrote shortest round-trip text; 9 significant digits is another exact form.
  return absl::StrFormat("[%.9g,%.9g,%s]", V10Prob(sample, 0), V10Prob(sample, 1), sample == 0 ? "-0" : "0.25");
}

std::string MakeVersionTenDb(const std::string& name) {
  const std::string path = FreshDbPath(name);
  auto db = SqliteDb::Open(path);
  EXPECT_TRUE(db.ok());
  const std::vector<Migration> first_ten(FoldstackMigrations().begin(), FoldstackMigrations().begin() + 10);
  EXPECT_TRUE(Migrate(**db, first_ten).ok());
  auto txn = Transaction::Begin(**db);
  EXPECT_TRUE(txn.ok());
  EXPECT_TRUE((*txn)->ExecScript(R"sql(
INSERT INTO datasets(id, kind, root, fingerprint, num_classes, sample_count, created_ms)
  VALUES(1, 'mask', '/data/toy', 'f', 3, 600, 1);
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 599)
INSERT INTO samples(id, dataset_id, idx, sample_key, label, grp) SELECT i + 1, 1, i, 'img/' || i, i % 3, 'p' || i FROM s;
INSERT INTO splits(id, dataset_id, k, seed, group_by, stratify, created_ms) VALUES(1, 1, 2, 0, '', 0, 1);
INSERT INTO split_folds SELECT 1, id, (id - 1) % 2 FROM samples;
INSERT INTO sweeps(id, name, yaml, spec_json, dataset_id, split_id, state, max_attempts, created_ms,
  submitted_by) VALUES(1, 'toy', 'name: toy', '{}', 1, 1, 'done', 3, 1, 'abc');
INSERT INTO trials(id, sweep_id, idx, params_json, state) VALUES(1, 1, 0, '{"lr": 0.1}', 'done');
INSERT INTO jobs(id, sweep_id, trial_id, fold, state, queued_ms) VALUES(1, 1, 1, 0, 'done', 1), (2, 1, 1, 1, 'done', 1);
INSERT INTO prediction_runs(id, eval_root, members_json, num_classes, state, created_ms, submitted_by)
  VALUES(1, '/data/eval', '[]', 3, 'done', 1, 'abc');
INSERT INTO prediction_images VALUES(1, 0, 'e0', 'images/e0.jpg'), (1, 1, 'e1', 'images/e1.jpg');
INSERT INTO prediction_jobs(id, run_id, train_job_id, weight, state, max_attempts, queued_ms)
  VALUES(1, 1, 1, 1.0, 'done', 3, 1);
INSERT INTO eval_probs VALUES(1, 0, '[0.1,0.2,0.7]'), (1, 1, '[0.6,0.30000001,0.1]');
)sql", "v10 rows").ok());
  auto insert = (*txn)->Prepare("INSERT INTO predictions(job_id, sample_id, predicted, probs) VALUES(?, ?, ?, ?)");
  EXPECT_TRUE(insert.ok());
  for (int i = 0; i < kV10Samples; ++i) {
    insert->Reset();
    EXPECT_TRUE(insert->Bind(1, 1 + i % 2).Bind(2, i + 1).Bind(3, 2).Bind(4, V10Json(i)).Run().ok());
  }
  EXPECT_TRUE((*txn)->Commit().ok());
  return path;
}

TEST(MigrationsTest, VersionTenProbabilityRowsBecomeChunksWithTheSameValues) {
  const std::string path = MakeVersionTenDb("v10");
  auto db = OpenFoldstackDb(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), kLatest);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name IN "
                           "('predictions', 'eval_probs')"), 2);
  // 300 rows a job: one chunk each.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM oof_chunks"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT SUM(n) FROM oof_chunks"), kV10Samples);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM predictions"), kV10Samples);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM predictions WHERE predicted = 2 AND job_id = 1 + (sample_id - 1) % 2"),
            kV10Samples);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_oof_predictions WHERE json_array_length(probs) = 3"), kV10Samples);
  // -0 reads as 0 and the other values with 9 digits.
  EXPECT_EQ(QueryInt(**db, "SELECT probs = '[0.00100300903,0.000991080306,0]' FROM predictions WHERE sample_id = 1"), 1);

  auto oof = LoadSweepOof(**db, 1, {1});
  ASSERT_TRUE(oof.ok()) << oof.status();
  ASSERT_EQ(oof->probs.size(), 1u);
  ASSERT_EQ(oof->probs[0].size(), static_cast<size_t>(kV10Samples * 3));
  for (int i = 0; i < kV10Samples; ++i) {
    for (int c = 0; c < 3; ++c) {
      const float expected = i == 0 && c == 2 ? 0.0f : V10Prob(i, c);
      ASSERT_EQ(oof->probs[0][i * 3 + c], expected) << "sample " << i << " class " << c;
    }
  }
  // The eval rows (no argmax stored before): values kept, argmax computed.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM eval_prob_chunks"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT probs = '[0.600000024,0.300000012,0.100000001]' FROM eval_probs WHERE idx = 1"), 1);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM v_eval_predictions"), 2);
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

TEST(MigrationsTest, MalformedProbabilityRowIsRefusedAndNothingChanges) {
  for (const char* bad : {"[0.5,oops,0.5]", "[0.5,0.5]", "0.5"}) {
    const std::string path = MakeVersionTenDb(absl::StrCat("v10_bad", std::string(bad).size()));
    {
      auto db = SqliteDb::Open(path);
      ASSERT_TRUE(db.ok());
      auto txn = Transaction::Begin(**db);
      ASSERT_TRUE(txn.ok());
      auto update = (*txn)->Prepare("UPDATE predictions SET probs = ? WHERE job_id = 2 AND sample_id = 42");
      ASSERT_TRUE(update.ok());
      ASSERT_EQ(*update->Bind(1, bad).Run(), 1);
      ASSERT_TRUE((*txn)->Commit().ok());
    }
    auto db = OpenFoldstackDb(path);
    ASSERT_FALSE(db.ok()) << bad;
    EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss) << db.status();
    EXPECT_NE(db.status().message().find("predictions row (job 2, sample 42)"), std::string::npos) << db.status();
    EXPECT_EQ(db.status().message().find('\n'), std::string::npos) << db.status();
    auto reopened = SqliteDb::Open(path);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(*SchemaVersion(**reopened), 10);
    EXPECT_EQ(QueryInt(**reopened, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'predictions'"), 1);
    EXPECT_EQ(QueryInt(**reopened, "SELECT COUNT(*) FROM predictions"), kV10Samples);
    EXPECT_EQ(QueryInt(**reopened, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'oof_chunks'"), 0);
  }
}

TEST(MigrationsTest, MalformedEvalRowIsRefusedAndNothingChanges) {
  const std::string path = MakeVersionTenDb("v10_bad_eval");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    auto txn = Transaction::Begin(**db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->ExecScript("UPDATE eval_probs SET probs = '[0.1,0.9]' WHERE idx = 1", "bad eval").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss) << db.status();
  EXPECT_NE(db.status().message().find("eval_probs row (prediction job 1, row 1): 2 probabilities, expected 3"),
            std::string::npos) << db.status();
  auto reopened = SqliteDb::Open(path);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*SchemaVersion(**reopened), 10);
  EXPECT_EQ(QueryInt(**reopened, "SELECT COUNT(*) FROM eval_probs"), 2);
}

TEST(MigrationsTest, NewerDatabaseIsRefused) {
  const std::string path = FreshDbPath("newer");
  {
    auto db = OpenFoldstackDb(path);
    ASSERT_TRUE(db.ok());
    auto txn = Transaction::Begin(**db);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->SetPragmaInt("user_version", 99).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto db = OpenFoldstackDb(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("version 99 is newer"), std::string::npos) << db.status();
}

TEST(MigrationsTest, FailedStepLeavesVersionUnchanged) {
  auto db = SqliteDb::Open(FreshDbPath("failed"));
  ASSERT_TRUE(db.ok());
  const std::vector<Migration> steps = {
      {1, "good", "CREATE TABLE a(x INTEGER);"},
      {2, "bad", "CREATE TABLE b(x INTEGER); CREATE TABLE a(y INTEGER);"},
  };
  absl::Status status = Migrate(**db, steps);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("migration 2 (bad)"), std::string::npos) << status;
  EXPECT_EQ(*SchemaVersion(**db), 1);
  // Step 2's first table was rolled back with the step.
  EXPECT_EQ(QueryInt(**db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
