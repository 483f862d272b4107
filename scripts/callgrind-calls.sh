#!/usr/bin/env bash
# Client instructions per call, one request at a time, counted by callgrind
# (deterministic, so it works on a busy machine): GET through a
# redis-blocking Connection, a pooled Client and redis-rs's Connection (one
# server, W1's shape); SET through a ClusterClient and redis-rs's
# ClusterConnection (3 masters, C1's shape). User-space instructions only:
# the system calls' cost in the kernel is not counted.
#
#   scripts/callgrind-calls.sh                 # every client, 3000 calls
#   scripts/callgrind-calls.sh cluster 1000    # one
#   KEEP=1 scripts/callgrind-calls.sh client   # keeps callgrind.out.<which>
#
# Needs valgrind and redis-server. Builds benches' call_once example in the
# bench profile and counts only its `run` function (after a warm-up that
# opens the connections).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind-calls.sh: valgrind is missing (apt-get install valgrind)" >&2
    exit 1
fi
cargo build -q --profile bench -p benches --example call_once
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/examples/call_once"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
which=("${1:-connection client redis-rs cluster redis-rs-cluster}")
count="${2:-3000}"
printf '| client | instructions per call |\n|---|---:|\n'
for w in ${which[@]}; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
        --toggle-collect='call_once::run' "$bin" "$w" "$count" >"$out/calls" 2>"$out/log"
    calls="$(tail -1 "$out/calls")"
    ir="$(awk '/^summary:/ { print $2 }' "$out/cg")"
    if [ -z "$ir" ] || [ -z "$calls" ]; then
        echo "callgrind-calls.sh: no count for $w" >&2
        cat "$out/log" >&2
        exit 1
    fi
    per="$(awk -v i="$ir" -v r="$calls" 'BEGIN { printf "%.0f", i / r }')"
    printf '| %s | %s |\n' "$w" "$per"
    if [ -n "${KEEP:-}" ]; then cp "$out/cg" "$root/callgrind.out.$w"; fi
done
