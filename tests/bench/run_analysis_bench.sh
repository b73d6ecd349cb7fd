#!/usr/bin/env bash
# Speed of the OOF analysis library (ensemble selection, confident learning) on one core.
# Usage: tests/bench/run_analysis_bench.sh [--trials 200 --people 2700 --rounds 50 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //tests/bench:analysis_bench >/dev/null
exec taskset -c 0 bazel-bin/tests/bench/analysis_bench "$@"
