#!/usr/bin/env bash
# Load: W simulated workers run every job of a sweep against a real coordinator process and SQLite
# file over loopback; each job reports E epochs of metrics and its held-out fold's OOF probabilities
# (the competition's shape: 2,715 people x 7 photos = 19,005 samples, 5 folds -> ~3,800 x 18 values).
# Usage: tests/bench/run_load_bench.sh [TRIALS=2000 -> 10,000 jobs] [WORKERS=64] [EPOCHS=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-2000}
workers=${2:-64}
epochs=${3:-10}
bazel build //coordinator:foldstack-coordinator //cli:foldstack //tests/bench:load_bench >/dev/null
work=$(mktemp -d)
trap 'kill $coordinator 2>/dev/null || true; rm -rf "$work"' EXIT
echo bench-token > "$work/tokens"
bazel-bin/cli/foldstack data synth --out "$work/data" --people 2715 --seed 1 --width 16 --height 16 \
  --eval_people 0 >/dev/null
cat > "$work/load.yaml" <<YAML
name: load
method: random
count: ${trials}
dataset: {kind: mask, root: data}
folds: {k: 5, seed: 0, group_by: person, stratify: true}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
YAML
bazel-bin/coordinator/foldstack-coordinator --listen 127.0.0.1:0 --db "$work/bench.db" --tokens "$work/tokens" \
  > "$work/out" 2> "$work/log" &
coordinator=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
address=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/out")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
bazel-bin/tests/bench/load_bench --coordinator "$address" --token bench-token --db "$work/bench.db" \
  --coordinator_pid "$coordinator" --sweep "$work/load.yaml" --workers "$workers" --epochs "$epochs"
