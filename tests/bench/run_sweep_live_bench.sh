#!/usr/bin/env bash
# The sweep engine on a real local cluster (a coordinator and 2 workers, 1 slot and half the cores
# each, as scripts/local_cluster.sh starts them) on a generated mask dataset:
#  1. RECORD: a grid sweep of 16 learning rates (1e-7 .. 3e-2: some cannot learn, some diverge or
#     overfit) x 3 folds x 8 epochs of ResNet-18, no early termination; its val_macro_f1 curves are
#     exported from the database (v_metrics + trials.idx) in the replay format (trial,fold,epoch,value)
#     to tests/bench/testdata/sweep_curves_recorded.csv;
#  2. REPLAY: those curves through tests/bench/run_sweep_prune_bench.sh --curves;
#  3. LIVE: one smaller grid sweep (8 learning rates x 3 folds x 6 epochs) run twice, plain and with
#     early_terminate {type: hyperband, min_iter: 1, eta: 3}: wall time, epochs trained (rows of
#     val_macro_f1), the best trial's mean macro-F1 (leaderboard) and whether both pick the same trial.
# Figures are reported, never asserted. About 15-20 minutes on 2 shared cores (training at nice 10).
# Usage: tests/bench/run_sweep_live_bench.sh [--skip-record] [--skip-live] [--keep] [--curves-out CSV]
#   --skip-record  replay the committed recording instead of recording again (steps 2 and 3 only)
#   --skip-live    stop after the replay (steps 1 and 2 only)
#   --keep         keep the work folder (default: a temp dir, removed on exit)
#   sizes: PEOPLE=24 WIDTH=48 HEIGHT=64 IMAGE=32 BATCH=24 REC_EPOCHS=8 LIVE_EPOCHS=6 (environment)
# Run after `bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack`;
# BIN_DIR=DIR runs copies of those binaries (DIR/coordinator/..., DIR/worker/..., DIR/cli/...) instead,
# so that rebuilding during the run cannot swap the trainer under it.
set -euo pipefail
cd "$(dirname "$0")/../.."
command_line="tests/bench/run_sweep_live_bench.sh $*"
record=1 live=1 keep=0 curves_out=tests/bench/testdata/sweep_curves_recorded.csv
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-record) record=0; shift ;;
    --skip-live) live=0; shift ;;
    --keep) keep=1; shift ;;
    --curves-out) curves_out=$2; shift 2 ;;
    *) echo "run_sweep_live_bench.sh: unknown option $1 (see the usage at the top)" >&2; exit 2 ;;
  esac
done
PEOPLE=${PEOPLE:-24} WIDTH=${WIDTH:-48} HEIGHT=${HEIGHT:-64} IMAGE=${IMAGE:-32} BATCH=${BATCH:-24}
REC_EPOCHS=${REC_EPOCHS:-8} LIVE_EPOCHS=${LIVE_EPOCHS:-6} K=3
REC_LRS="1.0e-7, 3.0e-7, 1.0e-6, 3.0e-6, 1.0e-5, 3.0e-5, 1.0e-4, 2.0e-4, 5.0e-4, 1.0e-3, 2.0e-3, 3.0e-3, 5.0e-3, 1.0e-2, 2.0e-2, 3.0e-2"
LIVE_LRS="1.0e-7, 1.0e-6, 1.0e-5, 1.0e-4, 5.0e-4, 1.0e-3, 3.0e-3, 3.0e-2"
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START )) s] $*" >&2; }

source scripts/local_cluster.sh
bench_setup "$(basename "$0" .sh)"

"$FS" data synth --out "$W/data" --people "$PEOPLE" --seed 5 --width "$WIDTH" --height "$HEIGHT" \
  --eval_people 0 >&2
start_local_coordinator "$BIN" "$W"
cores=$(nproc)
threads=$(( cores / 2 > 0 ? cores / 2 : 1 ))
for w in 1 2; do
  nice -n 10 "$BIN/worker/foldstack-worker" --work_dir "$W/worker$w" --slots 1 --threads "$threads" \
    2> "$W/worker$w.log" &
  pids+=($!)
done
log "coordinator on $FOLDSTACK_COORDINATOR, 2 workers x 1 slot x $threads threads, $PEOPLE people ${WIDTH}x${HEIGHT} px"

# write_sweep NAME LRS EPOCHS [EARLY_TERMINATE_LINE]
write_sweep() {
  cat > "$W/$1.yaml" <<YAML
name: $1
method: grid
metric: {name: val_macro_f1, goal: maximize}
${4:-}
dataset: {kind: mask, root: data}
folds: {k: $K, seed: 0, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {values: [$2]}
  epochs: {value: $3}
  batch_size: {value: $BATCH}
  image_size: {value: $IMAGE}
  seed: {value: 0}
YAML
}
# run_sweep NAME: submit, follow to the end; sets sweep_id and sweep_s (wall seconds).
run_sweep() {
  local t0
  t0=$(date +%s.%N)
  sweep_id=$("$FS" sweep submit "$W/$1.yaml")
  "$FS" sweep watch "$sweep_id" > "$W/watch-$1.log" 2>&1 || { echo "sweep $1 ($sweep_id) did not finish; see $W" >&2; keep=1; exit 1; }
  sweep_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}
q() { sqlite3 "$W/foldstack.db" "$1"; }
epochs_trained() { q "SELECT COUNT(*) FROM v_metrics WHERE sweep_id = $1 AND name = 'val_macro_f1'"; }
# best SWEEP: the leaderboard's first row; sets best_idx (trial index), best_lr and best_f1 (mean macro-F1).
best() {
  local id
  "$FS" leaderboard "$1" --json > "$W/leaderboard-$1.json"
  id=$(jq -r '.rows[0] | (.trial_id // .trialId)' "$W/leaderboard-$1.json")
  best_f1=$(jq -r '.rows[0] | (.macro_f1_mean // .macroF1Mean)' "$W/leaderboard-$1.json")
  best_idx=$(q "SELECT idx FROM trials WHERE id = $id")
  best_lr=$(q "SELECT json_extract(params_json, '$.lr') FROM trials WHERE id = $id")
}

rows=()
# 1. Record.
if [[ $record == 1 ]]; then
  write_sweep record "$REC_LRS" "$REC_EPOCHS"
  run_sweep record
  rec_id=$sweep_id
  log "record sweep $rec_id done in $sweep_s s"
  q "SELECT state, COUNT(*) FROM jobs WHERE sweep_id = $rec_id GROUP BY state" >&2
  {
    echo "trial,fold,epoch,value"
    q "SELECT t.idx, m.fold, m.epoch, printf('%.4f', COALESCE(m.value, 0)) FROM v_metrics m
       JOIN trials t ON t.id = m.trial_id WHERE m.sweep_id = $rec_id AND m.name = 'val_macro_f1'
       ORDER BY t.idx, m.fold, m.epoch" | tr '|' ','
  } > "$curves_out"
  n=$(( $(wc -l < "$curves_out") - 1 ))
  expected=$(( 16 * K * REC_EPOCHS ))
  [[ $n == "$expected" ]] || echo "warning: $n curve points recorded, $expected expected" >&2
  best "$rec_id"
  rows+=("record (16 x $K x $REC_EPOCHS, no pruning)|$sweep_s|$(epochs_trained "$rec_id")|#$best_idx lr $best_lr|$best_f1")
fi

# 2. Replay the recording through the pruners (Foldstack's and Optuna's).
log "replaying $curves_out"
tests/bench/run_sweep_prune_bench.sh --curves "$curves_out" | tee "$W/replay.txt"

# 3. Live, plain and with hyperband.
write_sweep live-plain "$LIVE_LRS" "$LIVE_EPOCHS"
write_sweep live-hyperband "$LIVE_LRS" "$LIVE_EPOCHS" "early_terminate: {type: hyperband, min_iter: 1, eta: 3}"
declare -A live_best
kinds=(plain hyperband)
[[ $live == 1 ]] || kinds=()
for kind in "${kinds[@]}"; do
  run_sweep "live-$kind"
  log "live $kind sweep $sweep_id done in $sweep_s s"
  best "$sweep_id"
  live_best[$kind]=$best_idx
  pruned=$(q "SELECT COUNT(*) FROM trials WHERE sweep_id = $sweep_id AND state = 'pruned'")
  rows+=("live $kind (8 x $K x $LIVE_EPOCHS, $pruned trials pruned)|$sweep_s|$(epochs_trained "$sweep_id")|#$best_idx lr $best_lr|$best_f1")
done

echo
echo "Live sweep benchmark: $PEOPLE people x 7 photos (${WIDTH}x${HEIGHT} px), resnet18 adam, ${IMAGE} px, batch $BATCH,"
echo "$K person-grouped folds, metric val_macro_f1; 2 workers x 1 slot x $threads threads on $cores cores."
printf '%-46s %8s %8s %-20s %s\n' "sweep" "wall s" "epochs" "best trial" "best macro-F1 (mean)"
for r in "${rows[@]}"; do
  IFS='|' read -r name secs ep bt f1 <<< "$r"
  printf '%-46s %8s %8s %-20s %.4f\n' "$name" "$secs" "$ep" "$bt" "$f1"
done
[[ $live == 0 ]] || echo "live: same best trial with and without hyperband: $([[ ${live_best[plain]} == "${live_best[hyperband]}" ]] && echo yes || echo NO)"
echo "recorded curves: $curves_out (replay table above)"
echo "reproduce: $command_line"
