#!/usr/bin/env bash
# Dashboard speed (README "Speed"): a finished sweep of TRIALS trials x FOLDS folds x EPOCHS epochs
# seeded through the managers (no training; about 2 minutes for 1,000 x 5 x 50), served by a real
# coordinator with --http; API p50/p99 of what the sweep page loads, the page's time until its charts
# are drawn in headless Chromium, and optuna-dashboard's study API beside it (if installed:
# pip install optuna-dashboard in a venv with --system-site-packages, then PYTHON=venv/bin/python3).
# Usage: tests/bench/run_dashboard_bench.sh [TRIALS=1000] [FOLDS=5] [EPOCHS=50]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-1000}
folds=${2:-5}
epochs=${3:-50}
bazel build //coordinator:foldstack-coordinator //tests/dashboard:seed_dashboard >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bazel-bin/tests/dashboard/seed_dashboard --db "$work/bench.db" --data "$work/data" --trials "$trials" \
  --folds "$folds" --epochs "$epochs"
PEER_TRIALS=$trials PEER_EPOCHS=$epochs "${PYTHON:-/usr/bin/python3}" tests/bench/dashboard_bench.py \
  bazel-bin/coordinator/foldstack-coordinator "$work/bench.db" 1
