#include "coordinator/store/prediction_schema.h"

namespace foldstack::coordinator {
namespace {

// Prediction jobs have their own table rather than rows of `jobs`: they belong to a run, not to a
// sweep, so sweep progress, the leaderboard and the OOF views stay as they are. Their lease
// columns mirror jobs' and go through the same state machine (job_store.h).
constexpr char kPredictionSchemaV4[] = R"sql(
-- The best checkpoint of a done training job, absolute, under its worker's --work_dir (a shared
-- filesystem for other workers to read it). NULL for jobs completed before this migration.
ALTER TABLE jobs ADD COLUMN checkpoint_path TEXT;

CREATE TABLE prediction_runs(
  id INTEGER PRIMARY KEY,
  eval_root TEXT NOT NULL,              -- holds eval/info.csv and eval/images/
  members_json TEXT NOT NULL,           -- [{"trial_id": 3, "weight": 0.5}, ...] as submitted (merged)
  num_classes INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('running', 'done', 'failed')),
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  submitted_by TEXT NOT NULL);          -- a token fingerprint, never a token

CREATE TABLE prediction_images(
  run_id INTEGER NOT NULL REFERENCES prediction_runs(id),
  idx INTEGER NOT NULL,                 -- row of eval/info.csv, 0-based: the sample id workers report
  image_id TEXT NOT NULL,
  image_key TEXT NOT NULL,              -- the photo, relative to eval_root
  PRIMARY KEY(run_id, idx)) WITHOUT ROWID;

-- One per (run, fold model of a member trial).
CREATE TABLE prediction_jobs(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES prediction_runs(id),
  train_job_id INTEGER NOT NULL REFERENCES jobs(id),
  weight REAL NOT NULL,                 -- the member trial's weight
  preferred_worker_id TEXT,             -- wrote the checkpoint; leased to it first while it lives
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK(state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK(max_attempts >= 1),
  lease_id INTEGER,
  worker_id TEXT,
  lease_expires_ms INTEGER,
  seconds REAL,
  error TEXT,
  log_tail TEXT,
  queued_ms INTEGER NOT NULL,
  started_ms INTEGER,
  finished_ms INTEGER,
  UNIQUE(run_id, train_job_id));
CREATE INDEX prediction_jobs_queued ON prediction_jobs(id) WHERE state = 'queued';
CREATE INDEX prediction_jobs_by_run ON prediction_jobs(run_id, state);
CREATE INDEX prediction_jobs_running_by_expiry ON prediction_jobs(lease_expires_ms) WHERE state = 'running';
CREATE INDEX prediction_jobs_running_by_worker ON prediction_jobs(worker_id) WHERE state = 'running';

-- Softmax probabilities (hflip TTA) of one fold model for one eval image.
CREATE TABLE eval_probs(
  prediction_job_id INTEGER NOT NULL REFERENCES prediction_jobs(id),
  idx INTEGER NOT NULL,                 -- prediction_images.idx
  probs TEXT NOT NULL,                  -- JSON array of num_classes floats
  PRIMARY KEY(prediction_job_id, idx)) WITHOUT ROWID;

-- For analysts: every fold model's eval probabilities with their run, trial, fold and image.
CREATE VIEW v_eval_predictions AS
SELECT pj.run_id, pj.id AS prediction_job_id, j.trial_id, j.fold, pj.weight, ep.idx AS row,
       pi.image_id, ep.probs
FROM eval_probs ep
JOIN prediction_jobs pj ON pj.id = ep.prediction_job_id
JOIN jobs j ON j.id = pj.train_job_id
JOIN prediction_images pi ON pi.run_id = pj.run_id AND pi.idx = ep.idx;
)sql";

}  // namespace

const char* PredictionSchemaSql() { return kPredictionSchemaV4; }

}  // namespace foldstack::coordinator
