#!/usr/bin/env bash
# How release_v5.db was made: by the release with the adaptive sweep engine (schema version 5, git
# 26f970e), so migrations_test can check that such a file upgrades in place. Run from a checkout of
# that commit after `bazel build //...`; writes release_v5.db in the current folder.
# The file holds a tpe sweep of val_loss with hyperband: trial 0 (lr 0.003) done on both folds, the
# 1e-7 trials pruned at the first band, and a trial still in flight; then relabel candidates found on
# trials 1 and 3, the first person-level one accepted (a new label version), the second rejected.
set -euo pipefail
B=$(git rev-parse --show-toplevel)/bazel-bin
dir=$(mktemp -d)
"$B/cli/foldstack" data synth --out "$dir/data" --people 12 --seed 1 > /dev/null
cat > "$dir/sweep.yaml" <<'YAML'
name: release-v5
method: tpe
count: 4
seed: 4
max_concurrent_trials: 2
sampler: {n_startup_trials: 2}
metric: {name: val_loss, goal: minimize}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 0, group_by: person, stratify: true}
parameters:
  lr: {values: [0.003, 1.0e-7]}
  epochs: {value: 3}
  image_size: {value: 32}
YAML
source "$(git rev-parse --show-toplevel)/scripts/local_cluster.sh"
start_local_coordinator "$B" "$dir"
"$B/cli/foldstack" sweep submit "$dir/sweep.yaml"
"$B/worker/foldstack-worker" --coordinator "$FOLDSTACK_COORDINATOR" --work_dir "$dir/work" --max_jobs 5
"$B/cli/foldstack" relabel find 1 --trials 1,3 --method all
targets=$(sqlite3 "$dir/foldstack.db" "SELECT person FROM v_relabel_candidates WHERE sample_key IS NULL ORDER BY score DESC, candidate_id LIMIT 2")
"$B/cli/foldstack" relabel accept "$(echo "$targets" | sed -n 1p)" --note "release 5 fixture"
"$B/cli/foldstack" relabel reject "$(echo "$targets" | sed -n 2p)" --note "fine"
stop_local_cluster
sqlite3 "$dir/foldstack.db" "VACUUM INTO '$PWD/release_v5.db'"
