#!/bin/bash
# The Slurm script parses, and every foldstack-worker flag the deploy files pass is one the worker
# has (a renamed flag would otherwise break every cluster that copied them).
set -euo pipefail
worker="$1"; shift
bash -n deploy/slurm/foldstack-workers.sbatch
known="$("$worker" --helpfull 2>&1 || true)"
status=0
for file in "$@"; do
  for flag in $(grep -o -- '"--[a-z_]*"\|--[a-z_]* ' "$file" | tr -d '" ' | sort -u); do
    if ! grep -q -- "${flag}" <<<"$known"; then
      echo "$file: $flag is not a foldstack-worker flag"; status=1
    fi
  done
done
exit $status
