#!/usr/bin/env bash
# List / show / leaderboard latency as a real coordinator's database fills with sweeps.
# Usage: tests/bench/run_catalog_bench.sh [SWEEPS=1000] [TRIALS=100]
set -euo pipefail
cd "$(dirname "$0")/../.."
sweeps=${1:-1000}
trials=${2:-100}
bazel build //coordinator:foldstack-coordinator //tests/bench:catalog_bench >/dev/null
work=$(mktemp -d)
trap 'kill $coordinator 2>/dev/null || true; rm -rf "$work"' EXIT
echo bench-token > "$work/tokens"
bazel-bin/coordinator/foldstack-coordinator --listen 127.0.0.1:0 --db "$work/bench.db" --tokens "$work/tokens" \
  > "$work/out" 2> "$work/log" &
coordinator=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
address=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/out")
sizes=10,100,$sweeps
bazel-bin/tests/bench/catalog_bench --coordinator "$address" --token bench-token --sweeps "$sweeps" \
  --trials "$trials" --sizes "$sizes"
echo "database: $(du -m "$work/bench.db" | cut -f1) MB, $(sqlite3 "$work/bench.db" 'SELECT COUNT(*) FROM trials') trials, $(sqlite3 "$work/bench.db" 'SELECT COUNT(*) FROM jobs') jobs"
