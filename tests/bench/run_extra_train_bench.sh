#!/usr/bin/env bash
# dataset.extra_train on generated data: does an extra training set of people aged >= 60 raise the
# >= 60 classes' held-out recall? One local cluster (a coordinator, one worker with 2 slots) runs the
# same grid sweep twice with the same seeds and folds: without, and with
#   extra_train: [{root: old, weight: W}]
# where `old` is `foldstack data synth --min_age 60 --first_id 5001` (other people, all >= 60).
# Reported from the OOF rows (v_oof_predictions: main-dataset samples only), never asserted:
#   recall_60: held-out photos of a >= 60 class predicted as exactly that class;
#   age_recall_60: ... predicted as any >= 60 class (the age bin right);
#   accuracy: all held-out photos.
# Also checks that both sweeps share one split and the same OOF row count. About 5-10 minutes on
# 2 shared cores. Usage: tests/bench/run_extra_train_bench.sh [--keep]
#   sizes: PEOPLE=60 EXTRA=20 WIDTH=64 HEIGHT=64 IMAGE=32 EPOCHS=6 WEIGHT=1 SEED=11 (environment)
# Run after `bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack`.
set -euo pipefail
cd "$(dirname "$0")/../.."
keep=0
[[ "${1:-}" == --keep ]] && keep=1
PEOPLE=${PEOPLE:-60} EXTRA=${EXTRA:-20} WIDTH=${WIDTH:-64} HEIGHT=${HEIGHT:-64} IMAGE=${IMAGE:-32}
EPOCHS=${EPOCHS:-6} WEIGHT=${WEIGHT:-1} SEED=${SEED:-11}
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START )) s] $*" >&2; }

source scripts/local_cluster.sh
bench_setup "$(basename "$0" .sh)"

"$FS" data synth --out "$W/data" --people "$PEOPLE" --seed "$SEED" --width "$WIDTH" --height "$HEIGHT" \
  --eval_people 0 >&2
"$FS" data synth --out "$W/old" --people "$EXTRA" --seed $(( SEED + 1 )) --min_age 60 --first_id 5001 \
  --width "$WIDTH" --height "$HEIGHT" --eval_people 0 >&2
start_local_coordinator "$BIN" "$W"
nice -n 10 "$BIN/worker/foldstack-worker" --work_dir "$W/worker" --slots 2 --threads 1 2> "$W/worker.log" &
pids+=($!)

# write_sweep NAME [EXTRA_TRAIN]
write_sweep() {
  cat > "$W/$1.yaml" <<YAML
name: $1
method: grid
dataset: {kind: mask, root: data${2:-}}
folds: {k: 3, seed: 0, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.003}
  epochs: {value: $EPOCHS}
  batch_size: {value: 24}
  image_size: {value: $IMAGE}
  seed: {value: 1}
YAML
}
write_sweep without
write_sweep with ", extra_train: [{root: old, weight: $WEIGHT}]"
q() { sqlite3 "$W/foldstack.db" "$1"; }
for name in without with; do
  id=$("$FS" sweep submit "$W/$name.yaml")
  "$FS" sweep watch "$id" > "$W/watch-$name.log" 2>&1 || { echo "sweep $name did not finish; see $W" >&2; keep=1; exit 1; }
  log "sweep $name ($id) done"
done
splits=$(q "SELECT COUNT(DISTINCT split_id) FROM sweeps")
echo "people $PEOPLE (+ $EXTRA aged >= 60, weight $WEIGHT), ${WIDTH}x${HEIGHT} px at $IMAGE, $EPOCHS epochs, 3 folds; splits used: $splits"
printf '%-8s %8s %10s %14s %9s\n' sweep oof_rows recall_60 age_recall_60 accuracy
for name in without with; do
  id=$(q "SELECT id FROM sweeps WHERE name = '$name'")
  q "SELECT '$name', COUNT(*),
       printf('%.3f (%d/%d)', AVG(CASE WHEN label % 3 = 2 THEN predicted = label END),
              SUM(label % 3 = 2 AND predicted = label), SUM(label % 3 = 2)),
       printf('%.3f', AVG(CASE WHEN label % 3 = 2 THEN predicted % 3 = 2 END)),
       printf('%.3f', AVG(predicted = label))
     FROM v_oof_predictions WHERE sweep_id = $id" | tr '|' ' ' | awk '{printf "%-8s %8s %10s %s %14s %9s\n", $1, $2, $3, $4, $5, $6}'
done
log "done"
