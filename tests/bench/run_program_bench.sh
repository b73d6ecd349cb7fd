#!/usr/bin/env bash
# A program job's overhead (spawn, job folder and split file, event relay, reports) apart from the
# program's own work. A real coordinator and one worker run JOBS jobs of tests/bench/program_noop.py
# (Fashion-MNIST, 2,000 samples, k 5); each job's wall time is taken from the coordinator's lease
# to its completion. The same program is then run REPS times by hand with the files and variables
# of the last job. Overhead = median job wall - median own wall.
# Usage: tests/bench/run_program_bench.sh [JOBS_PER_FOLD=10] [REPS=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-10}
reps=${2:-20}
bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack >/dev/null
work=$(mktemp -d)
source scripts/local_cluster.sh
trap 'stop_local_cluster; rm -rf "$work"' EXIT
cp tests/bench/program_noop.py "$work/noop.py"
values=$(seq -s, 1 "$trials")
cat > "$work/sweep.yaml" <<YAML
name: bench-program
program: noop.py
method: grid
metric: {name: score}
dataset: {kind: fashion_mnist, root: /usr/share/datasets/fashion-mnist, max_samples: 2000}
folds: {k: 5, seed: 0, group_by: none}
parameters:
  i: {values: [$values]}
YAML
start_local_coordinator bazel-bin "$work"
bazel-bin/worker/foldstack-worker --work_dir "$work/worker" --poll_ms 20 --threads 1 2> "$work/worker.log" &
pids+=($!)
sweep=$(bazel-bin/cli/foldstack sweep submit "$work/sweep.yaml")
bazel-bin/cli/foldstack sweep watch "$sweep" > /dev/null
job_ms=$(sqlite3 "$work/foldstack.db" "SELECT finished_ms - started_ms FROM jobs WHERE state = 'done' ORDER BY 1" |
         awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
jobs=$(sqlite3 "$work/foldstack.db" "SELECT COUNT(*) FROM jobs WHERE state = 'done'")

# The last job's folder, run again by hand: the same interpreter, files and variables.
last=$(ls -d "$work"/worker/job-* | sort -t- -k2 -n | tail -1)
own_ms=$(cd "$last" && for _ in $(seq "$reps"); do
  start=$(date +%s%N)
  FOLDSTACK_EVENTS_FD=3 FOLDSTACK_PARAMS_FILE="$last/params.json" FOLDSTACK_SPLIT_FILE="$last/split.csv" \
    FOLDSTACK_NUM_CLASSES=10 FOLDSTACK_CHECKPOINT_DIR="$last/checkpoints" PYTHONPATH="$work/worker/python" \
    /usr/bin/env "$(command -v python >/dev/null && echo python || echo python3)" "$work/noop.py" 3>/dev/null
  echo $(( ($(date +%s%N) - start) / 1000000 ))
done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '| what | ms (median) |\n|---|---|\n'
printf '| program job, lease to completion (%s jobs) | %s |\n' "$jobs" "$job_ms"
printf '| the same program run by hand (%s runs) | %s |\n' "$reps" "$own_ms"
printf '| overhead per job | %s |\n' "$((job_ms - own_ms))"
