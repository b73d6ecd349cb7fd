#!/usr/bin/env bash
# Per-head models on generated data: does replacing the 18-class model's age head by an age-only
# model help, and what does a cross-sweep Caruana ensemble make of it? One local cluster (a
# coordinator, one worker with 2 slots) runs three one-trial sweeps on the same folds (k = 3, by
# person): the 18-class task, task: age (3 age bins), and task: age_regression (age in years, bins
# from a Gaussian). Then `foldstack ensemble select --json` reports, on the same OOF samples:
#   18-class alone                 the 18-class trial (best single trial);
#   age head from age model        the composite base=FULL,age=AGE;
#   age head from regression       the composite base=FULL,age=REG (and the regression's age MAE:
#                                  held-out val_age_mae at each fold's best epoch, averaged);
#   cross-sweep Caruana            greedy selection over all three sweeps (automatic composites);
# each with its macro-F1 and per-head (mask, gender, age) macro-F1. Reported, never asserted.
# About 4-8 minutes on 2 shared cores. Usage: tests/bench/run_heads_bench.sh [--keep]
#   sizes: PEOPLE=60 WIDTH=64 HEIGHT=64 IMAGE=32 EPOCHS=6 SEED=11 (environment)
# Run after `bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack`.
set -euo pipefail
cd "$(dirname "$0")/../.."
keep=0
[[ "${1:-}" == --keep ]] && keep=1
PEOPLE=${PEOPLE:-60} WIDTH=${WIDTH:-64} HEIGHT=${HEIGHT:-64} IMAGE=${IMAGE:-32} EPOCHS=${EPOCHS:-6} SEED=${SEED:-11}
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START )) s] $*" >&2; }

source scripts/local_cluster.sh
bench_setup "$(basename "$0" .sh)"

"$FS" data synth --out "$W/data" --people "$PEOPLE" --seed "$SEED" --width "$WIDTH" --height "$HEIGHT" \
  --eval_people 0 >&2
start_local_coordinator "$BIN" "$W"
nice -n 10 "$BIN/worker/foldstack-worker" --work_dir "$W/worker" --slots 2 --threads 1 2> "$W/worker.log" &
pids+=($!)

# write_sweep NAME TASK
write_sweep() {
  cat > "$W/$1.yaml" <<YAML
name: $1
method: grid
resume: false
dataset: {kind: mask, root: data}
folds: {k: 3, seed: 0, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.003}
  epochs: {value: $EPOCHS}
  batch_size: {value: 24}
  image_size: {value: $IMAGE}
  seed: {value: 1}
  task: {value: $2}
YAML
}
q() { sqlite3 "$W/foldstack.db" "$1"; }
declare -A trial sweep
for name in full:single age:age reg:age_regression; do
  write_sweep "${name%%:*}" "${name##*:}"
  id=$("$FS" sweep submit "$W/${name%%:*}.yaml")
  "$FS" sweep watch "$id" > "$W/watch-${name%%:*}.log" 2>&1 || { echo "sweep ${name%%:*} did not finish; see $W" >&2; keep=1; exit 1; }
  sweep[${name%%:*}]=$id
  trial[${name%%:*}]=$(q "SELECT id FROM trials WHERE sweep_id = $id")
  log "sweep ${name%%:*} (task ${name##*:}, sweep $id, trial ${trial[${name%%:*}]}) done"
done
F=${trial[full]} A=${trial[age]} R=${trial[reg]}
"$FS" ensemble select --trials "$F,$A,$R" --composite "base=$F,age=$A" --json > "$W/age.json"
"$FS" ensemble select --trials "$F,$A,$R" --composite "base=$F,age=$R" --json > "$W/reg.json"
"$FS" ensemble select --sweeps "${sweep[full]},${sweep[age]},${sweep[reg]}" --max-members 20 --json > "$W/caruana.json"
mae=$(q "SELECT printf('%.1f', AVG(m.value)) FROM metrics m JOIN jobs j ON j.id = m.job_id
         WHERE j.trial_id = $R AND m.name = 'val_age_mae' AND m.epoch = j.best_epoch")

echo "people $PEOPLE, ${WIDTH}x${HEIGHT} px at $IMAGE, resnet18, $EPOCHS epochs, 3 folds by person; OOF over every sample"
printf '%-34s %9s %8s %10s %8s  %s\n' model macro_f1 mask_f1 gender_f1 age_f1 note
# row NAME SCORE_FIELD HEADS_FIELD FILE NOTE
row() {
  jq -r --arg n "$1" --arg note "$5" "[\$n, (.$2 // 0), (.$3 | map(.macro_f1 // 0) | .[])] | @tsv" "$W/$4" |
    awk -F'\t' -v note="$5" '{printf "%-34s %9.3f %8.3f %10.3f %8.3f  %s\n", $1, $2, $3, $4, $5, note}'
}
row "18-class alone" best_single_score best_single_heads age.json "trial $F"
row "age head from the age model" best_composite_score best_composite_heads age.json "base=$F,age=$A"
row "age head from age regression" best_composite_score best_composite_heads reg.json "base=$F,age=$R; age MAE $mae yr"
row "cross-sweep Caruana" ensemble.score ensemble_heads caruana.json \
  "$(jq -r '[.ensemble.members[] | ((if (.composite // "") != "" then .composite else .trial_id end | tostring)
            + ":" + (.weight | tostring | .[0:4]))] | join(" ")' "$W/caruana.json")"
log "done"
