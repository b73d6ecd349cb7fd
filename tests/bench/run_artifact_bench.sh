#!/usr/bin/env bash
# Artifact upload over loopback, next to cp of the same file: a real coordinator process, SQLite file
# and artifacts folder (beside the database); the bench leases jobs as a worker and uploads a 256 MiB
# random file 3 times.
# Usage: tests/bench/run_artifact_bench.sh [--size_mb 256] [--reps 3] [--chunk_kb 1024]
# The scratch folder (and the artifacts folder) is under ${TMPDIR:-/tmp}: set TMPDIR to bench another disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //coordinator:foldstack-coordinator //tests/bench:artifact_bench >/dev/null
work=$(mktemp -d)
source scripts/local_cluster.sh
trap 'stop_local_cluster; rm -rf "$work"' EXIT
cat > "$work/sweep.yaml" <<YAML
name: bench-artifacts
method: grid
dataset: {kind: fashion_mnist, root: /usr/share/datasets/fashion-mnist, max_samples: 200}
folds: {k: 5, seed: 0, group_by: none}
parameters:
  lr: {value: 0.1}
YAML
start_local_coordinator bazel-bin "$work"
bazel-bin/tests/bench/artifact_bench --coordinator "$FOLDSTACK_COORDINATOR" --token "$FOLDSTACK_TOKEN" \
  --sweep "$work/sweep.yaml" --dir "$work" "$@"
echo "stored: $(find "$work/artifacts" -type f | wc -l) files, $(du -sh "$work/artifacts" | cut -f1)"
