#!/usr/bin/env bash
# Client instructions per pipelined SET, counted by callgrind
# (deterministic, so it works on a busy machine): a ClusterClient over 3
# masters against a single-server Connection (the floor).
#
#   scripts/callgrind-cluster.sh                 # both, 20 pipelines of 1000
#   scripts/callgrind-cluster.sh cluster 10      # one, 10 pipelines
#   KEEP=1 scripts/callgrind-cluster.sh cluster  # keeps callgrind.out.<which>
#                                                # for callgrind_annotate
#
# Needs valgrind and redis-server. Builds benches' cluster_once example in
# the bench profile and counts only its `run` function (the pipeline calls,
# after a warm-up that opens the connections).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind-cluster.sh: valgrind is missing (apt-get install valgrind)" >&2
    exit 1
fi
cargo build -q --profile bench -p benches --example cluster_once
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/examples/cluster_once"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

which=("${1:-cluster single}")
count="${2:-20}"
printf '| client | instructions per SET |\n|---|---:|\n'
for w in ${which[@]}; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
        --collect-atstart=no --toggle-collect='cluster_once::run' \
        "$bin" "$w" "$count" > "$out/stdout" 2> "$out/stderr" || {
        cat "$out/stderr" >&2
        exit 1
    }
    sets="$(tail -1 "$out/stdout")"
    ir="$(grep -m1 '^summary:' "$out/cg" | awk '{print $2}')"
    per="$(awk -v i="$ir" -v r="$sets" 'BEGIN { printf "%.0f", i / r }')"
    printf '| %s | %s |\n' "$w" "$per"
    if [ -n "${KEEP:-}" ]; then cp "$out/cg" "$root/callgrind.out.$w"; fi
done
