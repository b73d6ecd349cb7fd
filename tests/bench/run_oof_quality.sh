#!/usr/bin/env bash
# Issue 5's quality targets, measured for real: a coordinator and one worker (as scripts/quickstart.sh
# starts them), then
#  1. a generated mask dataset with planted label errors (data synth --label-noise): a small sweep,
#     `relabel find`, precision / recall per error kind against label_noise.csv;
#  2. Fashion-MNIST (a seeded subset) with 5% of its labels flipped (data flip-labels): a one-trial
#     sweep, precision / recall of each method against the flips;
#  3. the synth eval set: held-out macro-F1 of the Caruana ensemble, the best single trial (by OOF)
#     and the plain average of all trials (`predict`, scored against eval_answers.csv).
# Sized for ~10-15 minutes on 2 shared cores; training runs at nice 10. Sizes can be overridden:
#   PEOPLE=150 EPOCHS=3 IMAGE=32 FM_SAMPLES=8000 FM_EPOCHS=2 tests/bench/run_oof_quality.sh [WORK_DIR]
# Everything lands in WORK_DIR (default .oof_quality/); the table is also written to WORK_DIR/report.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
W=$(realpath -m "${1:-$ROOT/.oof_quality}")
PEOPLE=${PEOPLE:-150} EVAL_PEOPLE=${EVAL_PEOPLE:-60} EPOCHS=${EPOCHS:-3} IMAGE=${IMAGE:-32} LRS=${LRS:-0.004, 0.002, 0.001}
FM_SAMPLES=${FM_SAMPLES:-8000} FM_EPOCHS=${FM_EPOCHS:-2} FM_RATE=${FM_RATE:-0.05}
START=$(date +%s)
elapsed() { echo "[$(( $(date +%s) - START )) s] $*" >&2; }

bazel build //coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack \
  //tests/bench:oof_quality_report >/dev/null 2>&1
BIN="$ROOT/bazel-bin"
FS="$BIN/cli/foldstack"
REPORT="$BIN/tests/bench/oof_quality_report"
rm -rf "$W" && mkdir -p "$W"

"$FS" data synth --out "$W/synth" --people "$PEOPLE" --eval_people "$EVAL_PEOPLE" --seed 11 --label_noise 0.1 \
  --width 48 --height 64 >&2
"$FS" data flip-labels --out "$W/fashion" --rate "$FM_RATE" --seed 5 --max_samples "$FM_SAMPLES" >&2

source scripts/local_cluster.sh
start_local_coordinator "$BIN" "$W"
nice -n 10 "$BIN/worker/foldstack-worker" --work_dir "$W/worker" --slots 2 --threads 1 2> "$W/worker.log" &
pids+=($!)

cat > "$W/synth.yaml" <<YAML
name: oof-quality-synth
method: grid
dataset: {kind: mask, root: synth}
folds: {k: 5, seed: 3, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {values: [$LRS]}
  epochs: {value: $EPOCHS}
  batch_size: {value: 32}
  image_size: {value: $IMAGE}
YAML
cat > "$W/fashion.yaml" <<YAML
name: oof-quality-fashion
method: grid
dataset: {kind: fashion_mnist, root: fashion}
folds: {k: 5, seed: 3, group_by: none, stratify: true}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.001}
  epochs: {value: $FM_EPOCHS}
  batch_size: {value: 16}
  image_size: {value: 28}
  hflip: {value: 0.0}
YAML
SYNTH=$("$FS" sweep submit "$W/synth.yaml")
FASHION=$("$FS" sweep submit "$W/fashion.yaml")
wait_sweep() { "$FS" sweep watch "$1" --interval 5 > "$W/watch-$1.log" || { echo "sweep $1 did not finish" >&2; exit 1; }; }

wait_sweep "$SYNTH"
elapsed "synth sweep $SYNTH done"
"$FS" relabel find "$SYNTH" --json > "$W/synth-find.json"
"$FS" leaderboard "$SYNTH" > "$W/synth-leaderboard.txt"
"$FS" ensemble select "$SYNTH" --max_members 20 --json > "$W/ensemble.json"
ENSEMBLE=$(jq -r '.ensemble.ensemble_id' "$W/ensemble.json")
BEST=$(jq -r '.best_single_trial_id' "$W/ensemble.json")
ALL=$(sqlite3 "$W/foldstack.db" "SELECT group_concat(trial_id) FROM (SELECT DISTINCT trial_id FROM v_oof_predictions \
  WHERE sweep_id = $SYNTH ORDER BY trial_id)")
"$FS" predict --ensemble "$ENSEMBLE" --eval "$W/synth" --out "$W/sub-ensemble.csv" --wait >&2
"$FS" predict --trial "$BEST" --eval "$W/synth" --out "$W/sub-best.csv" --wait >&2
"$FS" predict --trial "$ALL" --eval "$W/synth" --out "$W/sub-average.csv" --wait >&2
elapsed "synth predictions done"

wait_sweep "$FASHION"
elapsed "fashion sweep $FASHION done"
"$FS" relabel find "$FASHION" --json > "$W/fashion-find.json"
"$FS" leaderboard "$FASHION" > "$W/fashion-leaderboard.txt"

{
  echo "Synth: $PEOPLE people x 7 photos, 10% of people with a planted error; 5 folds by person;"
  echo "trials (lr ${LRS}) of resnet18, ${IMAGE} px, $EPOCHS epochs (sweep $SYNTH)."
  echo
  "$REPORT" mask "$W/synth-find.json" "$W/synth/label_noise.csv"
  echo
  echo "Fashion-MNIST: first $FM_SAMPLES training images, $FM_RATE of labels flipped (seed 5); 5 folds;"
  echo "resnet18, 28 px, $FM_EPOCHS epochs (sweep $FASHION); OOF accuracy on the given labels:"
  sqlite3 "$W/foldstack.db" "SELECT printf('%.3f', AVG(label = predicted)) FROM v_oof_predictions WHERE sweep_id = $FASHION"
  echo
  "$REPORT" flips "$W/fashion-find.json" "$W/fashion/label_noise.csv"
  echo
  jq -r '"Ensemble \(.ensemble.ensemble_id): members \([.ensemble.members[] | "\(.trial_id):\(.weight * 100 | round / 100)"] | join(", ")); OOF macro-F1 \(.ensemble.score * 1000 | round / 1000) (nested \(.ensemble.nested_score * 1000 | round / 1000)), best single trial \(.best_single_trial_id) \(.best_single_score * 1000 | round / 1000), average of all \(.average_score * 1000 | round / 1000)"' "$W/ensemble.json"
  echo
  "$REPORT" heldout "$W/synth/eval_answers.csv" "selected ensemble $ENSEMBLE=$W/sub-ensemble.csv" \
    "best single trial $BEST=$W/sub-best.csv" "plain average of trials $ALL=$W/sub-average.csv"
  echo
  echo "Total $(( $(date +%s) - START )) s."
} | tee "$W/report.md"
