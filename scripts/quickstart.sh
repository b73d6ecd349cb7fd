#!/usr/bin/env bash
# The quickstart, end to end on this machine: install what is missing, build, generate a small
# mask-layout dataset, start a coordinator and one local worker, run experiments/quickstart.yaml,
# print the leaderboard, stop. Everything lands in .quickstart/ (the database: .quickstart/foldstack.db).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QS="$ROOT/.quickstart"
scripts/install-deps.sh
bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack
BIN="$ROOT/bazel-bin"
mkdir -p "$QS"

if [ ! -f "$QS/data/train/train.csv" ]; then
  "$BIN/cli/foldstack" data synth --out "$QS/data" --people 60 --seed 7 --width 192 --height 256
fi
source scripts/local_cluster.sh
start_local_coordinator "$BIN" "$QS"
echo "coordinator on $FOLDSTACK_COORDINATOR, database $QS/foldstack.db"

"$BIN/worker/foldstack-worker" --work_dir "$QS/worker" 2> "$QS/worker.log" &
pids+=($!)

SWEEP=$("$BIN/cli/foldstack" sweep submit experiments/quickstart.yaml)
"$BIN/cli/foldstack" sweep watch "$SWEEP" || true
"$BIN/cli/foldstack" leaderboard "$SWEEP"
echo
echo "Results database: $QS/foldstack.db  (try: sqlite3 $QS/foldstack.db 'select * from v_leaderboard')"
