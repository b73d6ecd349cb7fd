#!/usr/bin/env bash
# Foldstack (LibTorch, //tests/bench:model_bench) vs Python PyTorch (tests/bench/model_peer.py):
# training-step and inference images/s and max RSS per process, on CPU, same model/input/threads.
# Each (model, mode) runs both sides one after the other in separate processes.
# Usage: tests/bench/run_model_bench.sh [--models resnet18,efficientnet_b0,vit_small_patch16_224]
#          [--modes train,infer] [--batch 32] [--size 224] [--steps 3] [--warmup 2] [--threads 2]
#          [--repeats 1]  (alternate the two sides N times; the best images/s of each side is shown)
#          [--bench PATH]   (a model_bench binary built elsewhere, e.g. from a branch; skips the build)
# Quick run: tests/bench/run_model_bench.sh --size 96 --steps 1 --warmup 1
# (ViT has a fixed input size, so it always runs at 224.)
set -euo pipefail
cd "$(dirname "$0")/../.."

models=resnet18,efficientnet_b0,vit_small_patch16_224
modes=train,infer
batch=32 size=224 steps=3 warmup=2 threads=2
bench= repeats=1
command_line="tests/bench/run_model_bench.sh $*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models=$2 ;;
    --modes) modes=$2 ;;
    --batch) batch=$2 ;;
    --size) size=$2 ;;
    --steps) steps=$2 ;;
    --warmup) warmup=$2 ;;
    --threads) threads=$2 ;;
    --bench) bench=$2 ;;
    --repeats) repeats=$2 ;;
    *) echo "run_model_bench.sh: unknown option $1 (see the usage at the top of the script)" >&2; exit 2 ;;
  esac
  shift 2
done

if [[ -z $bench ]]; then
  # Same configuration as the worker binary (.bazelrc: -O2), so the build cache is shared.
  bazel build //tests/bench:model_bench >/dev/null 2>&1 || bazel build //tests/bench:model_bench
  bench=bazel-bin/tests/bench/model_bench
fi
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || echo unknown)
# Foldstack's transformer linears and attention products call oneDNN's sgemm directly.
dnnl=$(readlink -f /usr/lib/x86_64-linux-gnu/libdnnl.so.2 || echo unknown)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for model in ${models//,/ }; do
  model_size=$size
  [[ $model == vit_* ]] && model_size=224
  for mode in ${modes//,/ }; do
    flags=(--model="$model" --mode="$mode" --batch="$batch" --size="$model_size" --steps="$steps"
           --warmup="$warmup" --threads="$threads")
    for ((r = 1; r <= repeats; ++r)); do
      echo "running $model $mode ($r/$repeats) ..." >&2
      "$bench" "${flags[@]}" | tail -n 1 >>"$results" || true
      /usr/bin/python3 tests/bench/model_peer.py "${flags[@]}" | tail -n 1 >>"$results" || true
    done
  done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
pairs = {}
for r in rows:
    if "error" in r:
        print(f"{r['side']}: error: {r['error']}")
        continue
    sides = pairs.setdefault((r["model"], r["mode"]), {})
    best = sides.get(r["side"])  # best of the repeats: least disturbed by other processes
    if best is None or r["images_per_s"] > best["images_per_s"]:
        sides[r["side"]] = r
head = (f"{'model':<24}{'mode':<7}{'size':>5}{'fs img/s':>10}{'py img/s':>10}{'ratio':>7}{'cpu ratio':>10}"
        f"{'fs RSS MB':>11}{'py RSS MB':>11}{'RSS ratio':>11}")
print(head)
print("-" * len(head))
for (model, mode), sides in pairs.items():
    fs, py = sides.get("foldstack"), sides.get("python")
    get = lambda s, k: s[k] if s else float("nan")
    ratio = get(fs, "images_per_s") / get(py, "images_per_s") if fs and py else float("nan")
    rss = get(fs, "max_rss_mb") / get(py, "max_rss_mb") if fs and py else float("nan")
    cpu = get(py, "cpu_seconds") / get(fs, "cpu_seconds") if fs and py else float("nan")
    size = (fs or py)["size"]
    print(f"{model:<24}{mode:<7}{size:>5}{get(fs, 'images_per_s'):>10.2f}{get(py, 'images_per_s'):>10.2f}{ratio:>7.2f}"
          f"{cpu:>10.2f}{get(fs, 'max_rss_mb'):>11.0f}{get(py, 'max_rss_mb'):>11.0f}{rss:>11.2f}")
print("ratio = Foldstack img/s / Python img/s, wall time (target >= 1); cpu ratio = the same per CPU-second")
print("(process CPU time of the timed steps, less disturbed by other load); RSS ratio = Foldstack / Python (target <= 1)")
EOF
echo "batch $batch, steps $steps (+$warmup warmup), threads $threads, float32, CPU; BLAS: $blas; oneDNN: $dnnl"
echo "load average before: $load_before, after: $load_after ($(nproc) cores)"
echo "reproduce: $command_line"
