-- Foldstack analyst views. Documented in dashboards/README.md.
-- Applied by the coordinator's schema migrations (each view is dropped and re-created),
-- so editing this file means adding a migration step that runs it again.

DROP VIEW IF EXISTS v_leaderboard;
-- One row per trial with at least one finished (done) fold. `value` is the sweep's objective
-- (sweeps.metric, to maximise or minimise by sweeps.goal) at each fold's best epoch; *_std are
-- POPULATION standard deviations over the done folds (divide by n, like numpy.std); 0 for one fold.
-- A plain GROUP BY (no window functions), so that `WHERE sweep_id = ?` reaches the jobs_by_sweep
-- index and one sweep's leaderboard costs the same in a database of a thousand sweeps.
CREATE VIEW v_leaderboard AS
SELECT j.sweep_id AS sweep_id,
       j.trial_id AS trial_id,
       t.params_json AS params,
       t.state AS trial_state,
       COUNT(*) AS folds_done,
       AVG(j.macro_f1) AS macro_f1_mean,
       sqrt(MAX(0.0, AVG(j.macro_f1 * j.macro_f1) - AVG(j.macro_f1) * AVG(j.macro_f1))) AS macro_f1_std,
       AVG(j.accuracy) AS accuracy_mean,
       AVG(j.value) AS value_mean,
       sqrt(MAX(0.0, AVG(j.value * j.value) - AVG(j.value) * AVG(j.value))) AS value_std
FROM jobs j JOIN trials t ON t.id = j.trial_id
WHERE j.state = 'done'
GROUP BY j.sweep_id, j.trial_id;

DROP VIEW IF EXISTS v_oof_predictions;
-- Out-of-fold predictions: every held-out sample's class probabilities from every stored job.
CREATE VIEW v_oof_predictions AS
SELECT j.sweep_id AS sweep_id,
       j.trial_id AS trial_id,
       j.fold AS fold,
       s.sample_key AS sample_key,
       s.label AS label,
       p.predicted AS predicted,
       p.probs AS probs,
       j.id AS job_id,
       j.state AS job_state
FROM predictions p
JOIN jobs j ON j.id = p.job_id
JOIN samples s ON s.id = p.sample_id;

DROP VIEW IF EXISTS v_jobs;
-- Jobs with their trial parameters and the holder's host; durations in seconds.
CREATE VIEW v_jobs AS
SELECT j.id AS job_id,
       j.sweep_id AS sweep_id,
       j.trial_id AS trial_id,
       t.idx AS trial_idx,
       j.fold AS fold,
       j.state AS state,
       j.attempt AS attempt,
       j.worker_id AS worker_id,
       w.hostname AS hostname,
       j.best_epoch AS best_epoch,
       j.macro_f1 AS macro_f1,
       j.accuracy AS accuracy,
       j.val_loss AS val_loss,
       j.value AS value,
       j.stopped_epoch AS stopped_epoch,
       j.seconds AS train_seconds,
       j.error AS error,
       datetime(j.queued_ms / 1000, 'unixepoch') AS queued_at,
       datetime(j.started_ms / 1000, 'unixepoch') AS started_at,
       datetime(j.finished_ms / 1000, 'unixepoch') AS finished_at,
       (j.finished_ms - j.started_ms) / 1000.0 AS wall_seconds,
       t.params_json AS params
FROM jobs j
JOIN trials t ON t.id = j.trial_id
LEFT JOIN workers w ON w.id = j.worker_id;

DROP VIEW IF EXISTS v_metrics;
-- Per-epoch learning curves, one row per (job, epoch, metric name).
CREATE VIEW v_metrics AS
SELECT j.sweep_id AS sweep_id,
       j.trial_id AS trial_id,
       j.fold AS fold,
       m.job_id AS job_id,
       m.epoch AS epoch,
       m.name AS name,
       m.value AS value
FROM metrics m JOIN jobs j ON j.id = m.job_id;

DROP VIEW IF EXISTS v_sweeps;
-- Sweeps with job counts per state and their best trial so far.
CREATE VIEW v_sweeps AS
SELECT s.id AS sweep_id,
       s.name AS name,
       s.state AS state,
       datetime(s.created_ms / 1000, 'unixepoch') AS created_at,
       d.kind AS dataset_kind,
       d.root AS dataset_root,
       sp.k AS k,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id) AS trials,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id) AS jobs_total,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'queued') AS jobs_queued,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'running') AS jobs_running,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'done') AS jobs_done,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'failed') AS jobs_failed,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'cancelled') AS jobs_cancelled,
       (SELECT COUNT(*) FROM jobs j WHERE j.sweep_id = s.id AND j.state = 'pruned') AS jobs_pruned,
       (SELECT MAX(m) FROM (SELECT AVG(j.macro_f1) AS m FROM jobs j
                            WHERE j.sweep_id = s.id AND j.state = 'done' GROUP BY j.trial_id)) AS best_macro_f1,
       s.metric AS metric,
       s.goal AS goal,
       (SELECT CASE s.goal WHEN 'minimize' THEN MIN(v) ELSE MAX(v) END
        FROM (SELECT AVG(j.value) AS v FROM jobs j
              WHERE j.sweep_id = s.id AND j.state = 'done' GROUP BY j.trial_id)) AS best_value,
       s.paused AS paused,
       s.submitted_by AS submitted_by,
       d.label_version AS label_version,
       COALESCE(d.base_dataset_id, d.id) AS dataset_id
FROM sweeps s
JOIN datasets d ON d.id = s.dataset_id
JOIN splits sp ON sp.id = s.split_id;

DROP VIEW IF EXISTS v_workers;
-- Registered workers and how many jobs each holds now. "Alive" needs the lease TTL, which the
-- database does not know; seconds_since_heartbeat lets you judge (default TTL: 30 s).
CREATE VIEW v_workers AS
SELECT w.id AS worker_id,
       w.hostname AS hostname,
       w.cpu_cores AS cpu_cores,
       w.slots AS slots,
       w.devices_json AS devices,
       w.version AS version,
       datetime(w.last_heartbeat_ms / 1000, 'unixepoch') AS last_heartbeat_at,
       (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - w.last_heartbeat_ms) / 1000.0
         AS seconds_since_heartbeat,
       (SELECT COUNT(*) FROM jobs j WHERE j.worker_id = w.id AND j.state = 'running') AS running_jobs
FROM workers w;

DROP VIEW IF EXISTS v_relabel_candidates;
-- Samples (or whole persons) whose given label looks wrong, with their review status: the latest
-- accept/reject of the same target made after the candidate was found, else 'pending'.
CREATE VIEW v_relabel_candidates AS
SELECT c.sweep_id AS sweep_id,
       c.id AS candidate_id,
       s.sample_key AS sample_key,
       c.person AS person,
       c.kind AS kind,
       c.given_label AS given_label,
       c.suggested_label AS suggested_label,
       c.score AS score,
       c.method AS method,
       c.evidence AS evidence,
       datetime(c.created_ms / 1000, 'unixepoch') AS created_at,
       COALESCE((SELECT o.status FROM label_overrides o
                 WHERE o.dataset_id = COALESCE(d.base_dataset_id, d.id)
                   AND o.target = COALESCE(s.sample_key, c.person)
                   AND o.decided_ms >= c.created_ms
                 ORDER BY o.id DESC LIMIT 1), 'pending') AS review_status,
       COALESCE(d.base_dataset_id, d.id) AS dataset_id
FROM relabel_candidates c
JOIN sweeps w ON w.id = c.sweep_id
JOIN datasets d ON d.id = w.dataset_id
LEFT JOIN samples s ON s.id = c.sample_id;

DROP VIEW IF EXISTS v_label_overrides;
-- Every accept/reject, one row per affected sample, with the label version it belongs to.
CREATE VIEW v_label_overrides AS
SELECT o.id AS override_id,
       o.dataset_id AS dataset_id,
       d.root AS dataset_root,
       o.label_version AS label_version,
       o.target AS target,
       s.sample_key AS sample_key,
       s.grp AS person,
       o.original_label AS original_label,
       o.new_label AS new_label,
       o.status AS status,
       o.decided_by AS decided_by,
       datetime(o.decided_ms / 1000, 'unixepoch') AS decided_at,
       o.note AS note,
       v.note AS version_note
FROM label_overrides o
JOIN samples s ON s.id = o.sample_id
JOIN datasets d ON d.id = o.dataset_id
LEFT JOIN label_versions v ON v.dataset_id = o.dataset_id AND v.version = o.label_version
  AND o.status = 'accepted';

DROP VIEW IF EXISTS v_ensembles;
-- Stored ensembles, one row per member trial with its weight (weights of an ensemble sum to 1) and
-- the member's own sweep (an ensemble across sweeps on one split has members of several).
CREATE VIEW v_ensembles AS
SELECT e.id AS ensemble_id,
       e.sweep_id AS sweep_id,
       e.method AS method,
       e.metric AS metric,
       e.score AS score,
       e.nested_score AS nested_score,
       m.trial_id AS trial_id,
       t.sweep_id AS trial_sweep_id,
       m.weight AS weight,
       t.params_json AS params,
       e.options AS options,
       datetime(e.created_ms / 1000, 'unixepoch') AS created_at
FROM ensembles e
JOIN ensemble_members m ON m.ensemble_id = e.id
JOIN trials t ON t.id = m.trial_id;
