#!/usr/bin/env bash
# Compute saved by pruning: recorded per-epoch curves (CSV trial,fold,epoch,value, macro-F1 to
# maximise) replayed through Foldstack's pruners (//tests/bench:sweep_prune_bench) and Optuna 3.1's
# MedianPruner / SuccessiveHalvingPruner (tests/bench/sweep_prune_peer.py), 4 trials in flight,
# trials arriving in index order and then in reverse order. Reports epochs trained vs the unpruned
# total and whether the best trial (highest mean final value over folds) is kept.
# Target (reported, not asserted): >= 2.5x fewer epochs with the best trial kept.
# Usage: tests/bench/run_sweep_prune_bench.sh [--curves CSV] [--concurrency 4]
#   default curves: tests/bench/testdata/sweep_curves.csv, written by
#   /usr/bin/python3 tests/bench/sweep_prune_peer.py --write-curves tests/bench/testdata/sweep_curves.csv
#   real curves: tests/bench/testdata/sweep_curves_recorded.csv, recorded on a local cluster by
#   tests/bench/run_sweep_live_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
curves=tests/bench/testdata/sweep_curves.csv concurrency=4
command_line="tests/bench/run_sweep_prune_bench.sh $*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --curves) curves=$2 ;;
    --concurrency) concurrency=$2 ;;
    *) echo "run_sweep_prune_bench.sh: unknown option $1 (see the usage at the top)" >&2; exit 2 ;;
  esac
  shift 2
done
bazel build //tests/bench:sweep_prune_bench >/dev/null 2>&1 || bazel build //tests/bench:sweep_prune_bench
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for order in index reverse; do
  flag=$([[ $order == reverse ]] && echo --reverse || true)
  bazel-bin/tests/bench/sweep_prune_bench --curves="$curves" --concurrency="$concurrency" $flag |
    sed "s/^{/{\"order\": \"$order\", /" >>"$results" || true
  if /usr/bin/python3 -c "import optuna" 2>/dev/null; then
    /usr/bin/python3 tests/bench/sweep_prune_peer.py --curves "$curves" --concurrency "$concurrency" $flag |
      sed "s/^{/{\"order\": \"$order\", /" >>"$results" || true
  fi
done
/usr/bin/python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"{'arrival':<9}{'pruner':<38}{'epochs':>7}{'of':>5}{'fewer':>7}{'done':>6}{'best kept':>10}{'top-3 kept':>11}  target")
for r in rows:
    if "error" in r:
        print(f"{r['side']}: error: {r['error']}")
        continue
    fewer = r["total"] / r["epochs"]
    met = "met" if fewer >= 2.5 and r["best_kept"] else "-"
    print(f"{r['order']:<9}{r['pruner']:<38}{r['epochs']:>7}{r['total']:>5}{fewer:>6.2f}x{r['done_trials']:>6}"
          f"{'yes' if r['best_kept'] else 'NO':>10}{r['top3_kept']:>11}  {met}")
PY
echo "curves: $curves; $concurrency trials in flight, epochs round-robin; Optuna: one trial per trial," \
     "its folds in lockstep reporting the fold mean (each step counts every fold's epoch)"
echo "target: >= 2.5x fewer epochs than the unpruned total with the best trial kept"
echo "reproduce: $command_line"
