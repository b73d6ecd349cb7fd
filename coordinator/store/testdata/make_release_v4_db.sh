#!/usr/bin/env bash
# How release_v4.db was made: by the release before the adaptive sweep engine (schema version 4,
# git 942b1e9), so migrations_test can check that such a file upgrades in place. Run from a checkout
# of that commit after `bazel build //...`; writes release_v4.db in the current folder.
set -euo pipefail
B=$(git rev-parse --show-toplevel)/bazel-bin
dir=$(mktemp -d)
"$B/cli/foldstack" data synth --out "$dir/data" --people 12 --seed 1 > /dev/null
cat > "$dir/sweep.yaml" <<'YAML'
name: release-v4
method: grid
metric: {name: val_loss, goal: minimize}
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 0, group_by: person, stratify: true}
parameters:
  optimizer: {values: [adam, sgd]}
  epochs: {value: 2}
  image_size: {value: 32}
YAML
source "$(git rev-parse --show-toplevel)/scripts/local_cluster.sh"
start_local_coordinator "$B" "$dir"
"$B/cli/foldstack" sweep submit "$dir/sweep.yaml"
# Three of the four jobs run; the fourth stays queued.
"$B/worker/foldstack-worker" --coordinator "$FOLDSTACK_COORDINATOR" --work_dir "$dir/work" --max_jobs 3
stop_local_cluster
sqlite3 "$dir/foldstack.db" "VACUUM INTO '$PWD/release_v4.db'"
