#!/usr/bin/env bash
# Coordinator throughput on this machine: a real coordinator process and SQLite file, loopback clients.
# Usage: tests/bench/run_coordinator_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //coordinator:foldstack-coordinator //tests/bench:coordinator_bench >/dev/null
work=$(mktemp -d)
trap 'kill $coordinator 2>/dev/null || true; rm -rf "$work"' EXIT
echo bench-token > "$work/tokens"
# Many small jobs: a 2-fold split of 400 Fashion-MNIST images, 3000 random trials -> 6000 jobs.
cat > "$work/lease.yaml" <<YAML
name: bench-lease
method: random
count: 3000
dataset: {kind: fashion_mnist, root: /usr/share/datasets/fashion-mnist, max_samples: 400}
folds: {k: 2, seed: 0, group_by: none}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
YAML
# Jobs with many held-out samples: 2 folds of 60,000 Fashion-MNIST images (30,000 x 10 values per job).
cat > "$work/ingest.yaml" <<YAML
name: bench-ingest
method: grid
dataset: {kind: fashion_mnist, root: /usr/share/datasets/fashion-mnist}
folds: {k: 2, seed: 0, group_by: none}
parameters:
  lr: {values: [0.1, 0.01]}
YAML
bazel-bin/coordinator/foldstack-coordinator --listen 127.0.0.1:0 --db "$work/bench.db" --tokens "$work/tokens" \
  > "$work/out" 2> "$work/log" &
coordinator=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
address=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/out")
bazel-bin/tests/bench/coordinator_bench --coordinator "$address" --token bench-token --db "$work/bench.db" \
  --lease_sweep "$work/lease.yaml" --ingest_sweep "$work/ingest.yaml" "$@"
# An analyst's documented query (dashboards/README.md) on the JSON probs column: one trial's OOF.
trial=$(sqlite3 "$work/bench.db" "SELECT MIN(trial_id) FROM jobs WHERE state = 'done' AND sweep_id = (SELECT MAX(id) FROM sweeps)")
start=$(date +%s.%N)
rows=$(sqlite3 "$work/bench.db" "SELECT sample_key, label, json_extract(probs, '\$[7]') AS p7
  FROM v_oof_predictions WHERE trial_id = $trial" | wc -l)
awk -v s="$start" -v e="$(date +%s.%N)" -v n="$rows" \
  'BEGIN { printf "view query (v_oof_predictions, json_extract of probs, one trial): %d rows in %.2f s\n", n, e - s }'
# The peer, side by side in the same run.
if /usr/bin/python3 -c "import optuna" 2>/dev/null; then
  /usr/bin/python3 tests/bench/optuna_peer.py "$work/optuna.db" 5
else
  echo "peer: python3-optuna is not installed (apt-get install python3-optuna) - skipped"
fi
