#include "coordinator/store/migrations.h"

#include "absl/strings/str_cat.h"
#include "coordinator/store/prediction_schema.h"
#include "coordinator/store/prob_chunk_schema.h"

namespace foldstack::coordinator {
namespace {

// Times are Unix milliseconds (INTEGER). States are CHECKed so a typo in code fails loudly.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE datasets(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  root TEXT NOT NULL,
  fingerprint TEXT NOT NULL,            -- SHA-256 over num_classes and the (key, label, group) rows
  num_classes INTEGER NOT NULL,
  sample_count INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE(kind, root, fingerprint));

CREATE TABLE samples(
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  idx INTEGER NOT NULL,                 -- position in the dataset's index (0-based)
  sample_key TEXT NOT NULL,             -- path relative to the dataset root, or "train/123"
  label INTEGER NOT NULL,
  grp TEXT NOT NULL,                    -- group for group k-fold (the person), "" when none
  UNIQUE(dataset_id, sample_key),
  UNIQUE(dataset_id, idx));

CREATE TABLE splits(
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  k INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  group_by TEXT NOT NULL,               -- "" when samples are split individually
  stratify INTEGER NOT NULL,            -- 0 or 1
  created_ms INTEGER NOT NULL,
  UNIQUE(dataset_id, k, seed, group_by, stratify));

CREATE TABLE split_folds(
  split_id INTEGER NOT NULL REFERENCES splits(id),
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  fold INTEGER NOT NULL,
  PRIMARY KEY(split_id, sample_id)) WITHOUT ROWID;

CREATE TABLE sweeps(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  yaml TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  split_id INTEGER NOT NULL REFERENCES splits(id),
  state TEXT NOT NULL CHECK(state IN ('running', 'done', 'failed', 'cancelled')),
  max_attempts INTEGER NOT NULL CHECK(max_attempts >= 1),
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  submitted_by TEXT NOT NULL);          -- a token fingerprint, never a token
CREATE INDEX sweeps_by_state ON sweeps(state, id);

CREATE TABLE trials(
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  idx INTEGER NOT NULL,
  params_json TEXT NOT NULL,
  UNIQUE(sweep_id, idx));

CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  trial_id INTEGER NOT NULL REFERENCES trials(id),
  fold INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK(state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempt INTEGER NOT NULL DEFAULT 0,   -- leases handed out so far
  lease_id INTEGER,                     -- the latest lease; reports must carry it
  worker_id TEXT,                       -- the latest holder
  lease_expires_ms INTEGER,
  best_epoch INTEGER,
  macro_f1 REAL,
  accuracy REAL,
  val_loss REAL,
  seconds REAL,
  error TEXT,
  log_tail TEXT,
  queued_ms INTEGER NOT NULL,
  started_ms INTEGER,
  finished_ms INTEGER,
  UNIQUE(trial_id, fold));
-- Partial indexes hold only the queued or running jobs they serve: a finished job leaves them, so
-- they stay small and each state change rewrites few pages (measured: tests/bench).
-- Leasing takes the lowest queued id: one O(log n) probe of jobs_queued.
CREATE INDEX jobs_queued ON jobs(id) WHERE state = 'queued';
CREATE INDEX jobs_by_sweep ON jobs(sweep_id, state);
CREATE INDEX jobs_running_by_expiry ON jobs(lease_expires_ms) WHERE state = 'running';
CREATE INDEX jobs_running_by_worker ON jobs(worker_id) WHERE state = 'running';

CREATE TABLE workers(
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  cpu_cores INTEGER NOT NULL,
  devices_json TEXT NOT NULL,
  slots INTEGER NOT NULL,
  version TEXT NOT NULL,
  registered_ms INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL);

CREATE TABLE metrics(
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  epoch INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL,                           -- NULL when the trainer reported NaN
  PRIMARY KEY(job_id, epoch, name)) WITHOUT ROWID;

CREATE TABLE predictions(
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  predicted INTEGER NOT NULL,           -- argmax of probs
  probs TEXT NOT NULL,                  -- JSON array of num_classes floats
  PRIMARY KEY(job_id, sample_id)) WITHOUT ROWID;
)sql";

// Label review and out-of-fold analysis. A label version is a set of accepted overrides layered on
// a dataset's original labels (samples.label, never changed). A sweep on version N > 0 trains on a
// derived dataset row (base_dataset_id, label_version) holding the corrected labels over the same
// keys, split with the base dataset's folds, so workers' GetSplit(split_id) needs no version.
constexpr char kSchemaV3[] = R"sql(
ALTER TABLE datasets ADD COLUMN base_dataset_id INTEGER REFERENCES datasets(id);  -- NULL: original
ALTER TABLE datasets ADD COLUMN label_version INTEGER NOT NULL DEFAULT 0;         -- 0: original

CREATE TABLE label_versions(
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),  -- the base dataset (original labels)
  version INTEGER NOT NULL CHECK(version >= 1),          -- 0 is the original labels, not stored
  created_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,                              -- a token fingerprint
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(dataset_id, version)) WITHOUT ROWID;

-- One row per (decision, sample): a decision on a person writes one row per photo of the person.
CREATE TABLE label_overrides(
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),  -- the base dataset
  label_version INTEGER NOT NULL,       -- accepted: the version it made; rejected: latest then
  target TEXT NOT NULL,                 -- as resolved: a full sample key or a person (group)
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  original_label INTEGER NOT NULL,      -- the dataset's original label (samples.label)
  new_label INTEGER NOT NULL,           -- accepted: the label from then on; rejected: the refused one
  status TEXT NOT NULL CHECK(status IN ('accepted', 'rejected')),
  decided_by TEXT NOT NULL,             -- a token fingerprint
  decided_ms INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX label_overrides_by_sample ON label_overrides(sample_id, label_version);
CREATE INDEX label_overrides_by_target ON label_overrides(dataset_id, target);

-- Filled by `relabel find`; a re-run for the same (sweep, method) replaces that method's rows.
CREATE TABLE relabel_candidates(
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  method TEXT NOT NULL,                 -- e.g. confident_learning | fold_vote
  sample_id INTEGER REFERENCES samples(id),  -- NULL for a person-level candidate
  person TEXT NOT NULL,                 -- the sample's group, or the person judged as a whole
  kind TEXT NOT NULL,                   -- e.g. gender | age | mask | class
  given_label INTEGER NOT NULL,
  suggested_label INTEGER NOT NULL,
  score REAL NOT NULL,                  -- label-quality score: higher = more likely wrong
  evidence TEXT NOT NULL,               -- JSON object
  created_ms INTEGER NOT NULL);
CREATE INDEX relabel_candidates_by_sweep ON relabel_candidates(sweep_id, method);

CREATE TABLE ensembles(
  id INTEGER PRIMARY KEY,
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  method TEXT NOT NULL,                 -- e.g. caruana | vote
  metric TEXT NOT NULL,                 -- e.g. macro_f1 | log_loss
  score REAL NOT NULL,                  -- OOF score of the selected ensemble
  nested_score REAL,                    -- selected on some folds, scored on the others; NULL: not run
  options TEXT NOT NULL,                -- JSON object
  trace TEXT NOT NULL,                  -- JSON: the selection trace
  created_ms INTEGER NOT NULL);
CREATE INDEX ensembles_by_sweep ON ensembles(sweep_id);

CREATE TABLE ensemble_members(
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  trial_id INTEGER NOT NULL REFERENCES trials(id),
  weight REAL NOT NULL,
  PRIMARY KEY(ensemble_id, trial_id)) WITHOUT ROWID;
)sql";

// The adaptive sweep engine: trials made on demand (a budget, trials in flight, a pause flag),
// the sweep's objective stored as columns, job and trial state `pruned`, each job's objective
// value. Old sweeps keep the trials they have: their budget is their trial count.
constexpr char kSchemaV5[] = R"sql(
ALTER TABLE trials ADD COLUMN state TEXT NOT NULL DEFAULT 'running'
  CHECK(state IN ('running', 'done', 'pruned', 'failed', 'cancelled'));
ALTER TABLE trials ADD COLUMN stop_reason TEXT;           -- pruned: why (one line)
UPDATE trials SET state = CASE
  WHEN EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = trials.id AND j.state IN ('queued', 'running'))
    THEN 'running'
  WHEN NOT EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = trials.id AND j.state != 'done') THEN 'done'
  WHEN EXISTS(SELECT 1 FROM jobs j WHERE j.trial_id = trials.id AND j.state = 'failed') THEN 'failed'
  ELSE 'cancelled' END;
CREATE INDEX trials_by_sweep_state ON trials(sweep_id, state);

ALTER TABLE jobs ADD COLUMN value REAL;          -- the objective: at the best epoch (done), best reached (pruned)
ALTER TABLE jobs ADD COLUMN stopped_epoch INTEGER;  -- pruned: the last epoch it trained
UPDATE jobs SET value = CASE (SELECT json_extract(s.spec_json, '$.metric.name') FROM sweeps s
                              WHERE s.id = jobs.sweep_id)
  WHEN 'val_loss' THEN val_loss WHEN 'val_accuracy' THEN accuracy ELSE macro_f1 END
WHERE state = 'done';

ALTER TABLE sweeps ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;       -- no new leases while 1
ALTER TABLE sweeps ADD COLUMN trial_budget INTEGER NOT NULL DEFAULT 0; -- trials it makes in all
ALTER TABLE sweeps ADD COLUMN max_concurrent_trials INTEGER NOT NULL DEFAULT 0;  -- 0: unlimited
ALTER TABLE sweeps ADD COLUMN gate_folds INTEGER NOT NULL DEFAULT 0;   -- folds run before the others
ALTER TABLE sweeps ADD COLUMN base_dir TEXT NOT NULL DEFAULT '';       -- the sweep file's folder
ALTER TABLE sweeps ADD COLUMN metric TEXT NOT NULL DEFAULT 'val_macro_f1';
ALTER TABLE sweeps ADD COLUMN goal TEXT NOT NULL DEFAULT 'maximize' CHECK(goal IN ('maximize', 'minimize'));
UPDATE sweeps SET
  trial_budget = (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = sweeps.id),
  metric = COALESCE(json_extract(spec_json, '$.metric.name'), 'val_macro_f1'),
  goal = COALESCE(json_extract(spec_json, '$.metric.goal'), 'maximize');
)sql";

// Workers can be drained: they finish their running jobs, take no new ones, then exit.
constexpr char kSchemaV6[] = R"sql(
ALTER TABLE workers ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;  -- 1: lease nothing more to it
)sql";

// The artifact store: checkpoints and logs that workers upload (coordinator/artifacts). The bytes
// live in --artifacts DIR under storage_key; a row exists only once its file is complete.
constexpr char kSchemaV7[] = R"sql(
CREATE TABLE artifacts(
  id INTEGER PRIMARY KEY,
  job_kind TEXT NOT NULL CHECK(job_kind IN ('train', 'predict')),
  job_id INTEGER NOT NULL,              -- jobs.id or prediction_jobs.id, by job_kind
  sweep_id INTEGER REFERENCES sweeps(id),  -- a prediction job: its training job's sweep, trial, fold
  trial_id INTEGER REFERENCES trials(id),
  fold INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('best_checkpoint', 'resume_checkpoint', 'log')),
  epoch INTEGER NOT NULL DEFAULT 0,     -- resume_checkpoint: the epoch it holds
  name TEXT NOT NULL,                   -- the file's base name on the worker
  size INTEGER NOT NULL CHECK(size >= 0),
  sha256 TEXT NOT NULL,                 -- lower-case hex
  storage_key TEXT NOT NULL UNIQUE,     -- where ArtifactStorage keeps the bytes
  created_ms INTEGER NOT NULL);
-- A retried upload finds its row here (and stores nothing new).
CREATE UNIQUE INDEX artifacts_by_content ON artifacts(job_kind, job_id, kind, sha256);
CREATE INDEX artifacts_by_sweep ON artifacts(sweep_id, trial_id);
CREATE INDEX artifacts_by_trial ON artifacts(trial_id);
)sql";

// Ensembles across sweeps: the sweeps an ensemble's members came from, so that listing a sweep's
// ensembles finds those that mix it with other sweeps on the same split. Earlier ensembles' members
// are all of their own sweep.
constexpr char kSchemaV8[] = R"sql(
CREATE TABLE ensemble_sweeps(
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
  PRIMARY KEY(ensemble_id, sweep_id)) WITHOUT ROWID;
CREATE INDEX ensemble_sweeps_by_sweep ON ensemble_sweeps(sweep_id, ensemble_id);
INSERT OR IGNORE INTO ensemble_sweeps(ensemble_id, sweep_id) SELECT id, sweep_id FROM ensembles;
INSERT OR IGNORE INTO ensemble_sweeps(ensemble_id, sweep_id)
  SELECT m.ensemble_id, t.sweep_id FROM ensemble_members m JOIN trials t ON t.id = m.trial_id;
)sql";

// The audit trail (audit_store.h): who changed what, and when. Appended to only.
constexpr char kSchemaV9[] = R"sql(
CREATE TABLE audit(
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  who TEXT NOT NULL,        -- the token's name from the tokens file, never the token
  action TEXT NOT NULL,     -- submit_sweep, cancel_sweep, update_sweep, stop_trial, ...
  object_id TEXT NOT NULL); -- the sweep, trial, worker, dataset, ensemble or prediction run
CREATE INDEX audit_by_who ON audit(who, id);
)sql";

// jobs.state's CHECK gains 'pruned'. Widening a CHECK changes nothing stored, so SQLite's own
// recipe applies (lang_altertable.html, "simpler procedure"): edit the table's schema text with
// writable_schema and bump schema_version, instead of copying the whole table.
absl::Status AllowPrunedJobs(Transaction& txn) {
  constexpr char kOld[] = "CHECK(state IN ('queued', 'running', 'done', 'failed', 'cancelled'))";
  constexpr char kNew[] =
      "CHECK(state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'pruned'))";
  absl::StatusOr<int64_t> version = txn.PragmaInt("schema_version");
  if (!version.ok()) return version.status();
  absl::Status status = txn.SetPragmaInt("writable_schema", 1);
  if (status.ok()) {
    absl::StatusOr<Statement> edit = txn.Prepare(
        "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) "
        "WHERE type = 'table' AND name = 'jobs' AND instr(sql, ?1) > 0");
    if (!edit.ok()) return edit.status();
    absl::StatusOr<int64_t> changed = edit->Bind(1, kOld).Bind(2, kNew).Run();
    status = changed.ok() && *changed != 1
                 ? absl::InternalError("migration 5: jobs.state's CHECK not found")
                 : changed.status();
  }
  if (status.ok()) status = txn.SetPragmaInt("schema_version", *version + 1);
  absl::Status off = txn.SetPragmaInt("writable_schema", 0);
  return status.ok() ? off : status;
}

// dashboards/views.sql, embedded by the genrule in dashboards/BUILD.bazel.
constexpr char kViewsSql[] =
#include "dashboards/views_sql.inc"
    ;

}  // namespace

const std::vector<Migration>& FoldstackMigrations() {
  static const auto* steps = new std::vector<Migration>{
      {1, "tables and indexes", kSchemaV1},
      // SQLite binds a view's tables when the view is used, not when it is created, so step 2
      // may run today's views.sql (which names step 3's tables) on a fresh database.
      {2, "analyst views", kViewsSql},
      {3, "label review, relabel candidates, ensembles; views again",
       std::string(kSchemaV3) + kViewsSql},
      {4, "kept models and prediction runs", PredictionSchemaSql()},
      {5, "adaptive sweeps: trials on demand, pruned states, objective values; views again",
       std::string(kSchemaV5) + kViewsSql, AllowPrunedJobs},
      {6, "draining workers", kSchemaV6},
      {7, "artifact store", kSchemaV7},
      {8, "ensembles across sweeps: each ensemble's member sweeps; views again",
       std::string(kSchemaV8) + kViewsSql},
      {9, "audit trail", kSchemaV9},
      {10, "views again: v_leaderboard without window functions, so a sweep's rows come by index", kViewsSql},
      {11, "probabilities as float32 chunks; predictions and eval_probs become views", ProbChunkSchemaSql(),
       ConvertProbRowsToChunks},
  };
  return *steps;
}

absl::StatusOr<int> SchemaVersion(SqliteDb& db) {
  absl::StatusOr<std::unique_ptr<Transaction>> txn =
      Transaction::Begin(db, Transaction::Mode::kDeferred);
  if (!txn.ok()) return txn.status();
  absl::StatusOr<int64_t> version = (*txn)->PragmaInt("user_version");
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

absl::Status Migrate(SqliteDb& db, const std::vector<Migration>& steps) {
  const int latest = steps.empty() ? 0 : steps.back().version;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(absl::StrCat("migration \"", steps[i].name, "\" has version ",
                                              steps[i].version, ", expected ", i + 1));
    }
  }
  // Each step re-reads the version inside its own write transaction, so two processes opening
  // the same file at once cannot both apply a step.
  while (true) {
    absl::StatusOr<std::unique_ptr<Transaction>> txn = Transaction::Begin(db);
    if (!txn.ok()) return txn.status();
    absl::StatusOr<int64_t> version = (*txn)->PragmaInt("user_version");
    if (!version.ok()) return version.status();
    if (*version > latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          db.path(), ": database schema version ", *version, " is newer than this binary knows (",
          latest, "); use a newer foldstack or another database file"));
    }
    if (*version == latest) return absl::OkStatus();
    const Migration& step = steps[*version];
    absl::Status status = (*txn)->ExecScript(
        step.sql, absl::StrCat("migration ", step.version, " (", step.name, ")"));
    if (status.ok() && step.after) status = step.after(**txn);
    if (status.ok()) status = (*txn)->SetPragmaInt("user_version", step.version);
    if (status.ok()) status = (*txn)->Commit();
    if (!status.ok()) return status;
  }
}

absl::StatusOr<std::unique_ptr<SqliteDb>> OpenFoldstackDb(const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  absl::Status status = Migrate(**db, FoldstackMigrations());
  if (!status.ok()) return status;
  return db;
}

}  // namespace foldstack::coordinator
