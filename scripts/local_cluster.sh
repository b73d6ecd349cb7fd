# Sourced by scripts that run a local cluster (scripts/quickstart.sh, tests/bench/run_*.sh).
# start_local_coordinator BIN DIR: a token file in DIR (kept if present), a coordinator on a free
# loopback port with its database in DIR; exports FOLDSTACK_TOKEN and FOLDSTACK_COORDINATOR. Every
# process added to `pids` (the coordinator, and workers the caller starts) is stopped on exit.
pids=()
stop_local_cluster() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_local_cluster EXIT

start_local_coordinator() {
  local bin=$1 dir=$2
  [ -f "$dir/tokens" ] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/tokens"; chmod 600 "$dir/tokens"; }
  export FOLDSTACK_TOKEN=$(head -n 1 "$dir/tokens")
  # Port 0: the coordinator picks a free port and prints it.
  "$bin/coordinator/foldstack-coordinator" --listen 127.0.0.1:0 --db "$dir/foldstack.db" --tokens "$dir/tokens" \
    > "$dir/coordinator.out" 2> "$dir/coordinator.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$dir/coordinator.out" 2>/dev/null && break; sleep 0.1; done
  export FOLDSTACK_COORDINATOR=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$dir/coordinator.out")
}

# bench_setup NAME: for benchmarks that run the three programs. Checks them in BIN_DIR (default
# bazel-bin), sets BIN, FS (the CLI) and W (a fresh work folder), and on exit stops the cluster and
# removes W unless `keep` is 1 by then.
bench_setup() {
  BIN=${BIN_DIR:-$(pwd)/bazel-bin}
  local b
  for b in coordinator/foldstack-coordinator worker/foldstack-worker cli/foldstack; do
    [[ -x $BIN/$b ]] || { echo "$1: $BIN/$b missing; run: bazel build" \
      "//coordinator:foldstack-coordinator //worker:foldstack-worker //cli:foldstack" >&2; exit 1; }
  done
  FS="$BIN/cli/foldstack"
  W=$(mktemp -d "${TMPDIR:-/tmp}/foldstack-$1.XXXXXX")
  trap bench_cleanup EXIT
}
bench_cleanup() {
  stop_local_cluster
  if [[ ${keep:-0} == 1 ]]; then echo "work folder kept: $W" >&2; else rm -rf "$W"; fi
}
