#!/usr/bin/env bash
# Fuzzing the front door's parsers (tests/fuzz) with libFuzzer under AddressSanitizer + UBSan:
# builds every <target>_libfuzzer with --config=asan (clang-14), runs each for RUNS inputs on a copy of
# its seed corpus, and prints per target: inputs run, exec/s, crashes (0 expected; libFuzzer stops at
# the first) and the accepted / refused counts (the targets abort on a refusal that is not one line).
# Usage: tests/bench/run_fuzz_bench.sh [RUNS] [TARGET...]   (RUNS defaults to 100000; all 8 targets)
# Needs clang-14 and libFuzzer (Debian: clang-14 libclang-rt-14-dev); installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-100000}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sweep_yaml train_csv eval_info_csv safetensors_header idx image_decode job_events decisions_csv)
fi
if ! command -v clang-14 >/dev/null || [ -z "$(ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ]; then
  apt-get install -y clang-14 libclang-rt-14-dev >/dev/null
fi
# gold warns about every ASan helper it cannot export; nothing else in the build is quieted.
# (pipefail: a failed build stops the script here)
bazel build --config=asan $(printf '//tests/fuzz:%s_libfuzzer ' "${targets[@]}") 2>&1 | { grep -v "ld.gold: warning" || true; } >&2
bin=$(bazel info --config=asan bazel-bin 2>/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-20s %9s %8s %8s %8s %10s %10s %s\n' target inputs seconds exec/s crashes accepted refused "refusals"
status=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/corpus/"
  log="$work/$target/log"
  set +e
  start=$(date +%s.%N)
  FOLDSTACK_FUZZ_STATS=1 "$bin/tests/fuzz/${target}_libfuzzer" -runs="$runs" -seed=14 -print_final_stats=1 \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" >"$log" 2>&1
  rc=$?
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  set -e
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # Over the whole run, start-up included (libFuzzer's own figure is whole seconds, 0 for short runs).
  rate=$([ -n "$executed" ] && echo "$executed / $seconds" | bc || true)
  answers=$(grep '^fuzz answers:' "$log" | tail -1 || true)
  accepted=$(sed -n 's/^fuzz answers: \([0-9]*\) accepted.*/\1/p' <<<"$answers")
  refused=$(sed -n 's/.* \([0-9]*\) refused.*/\1/p' <<<"$answers")
  crashes=$(ls "$work/$target/artifacts" | wc -l)
  verdict="all one line"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$answers" ]; then
    status=1
    verdict="FAILED (log above; inputs in fuzz-crashes/$target)"
    [ "$crashes" -eq 0 ] && crashes="rc=$rc"
    mkdir -p fuzz-crashes && cp -r "$work/$target/artifacts" "fuzz-crashes/$target" 2>/dev/null || true
    grep -v "ld.gold" "$log" | grep -B2 -A25 "ERROR\|runtime error\|not one line\|deadly signal" | head -60 >&2 || true
  fi
  printf '%-20s %9s %8.1f %8s %8s %10s %10s %s\n' "$target" "${executed:-?}" "$seconds" "${rate:-?}" "$crashes" "${accepted:-?}" \
    "${refused:-?}" "$verdict"
done
exit $status
