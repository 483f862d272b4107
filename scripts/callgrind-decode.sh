#!/usr/bin/env bash
# Instructions per reply of every parser on the decode benchmark's
# workloads, counted by callgrind (deterministic, unlike timings).
#
#   scripts/callgrind-decode.sh            # both workloads
#   scripts/callgrind-decode.sh resp2      # one
#
# Needs valgrind (apt-get install valgrind). Builds benches' decode_once in
# the bench profile and runs it once per parser under callgrind, counting
# only the `decode` function (and what it calls).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind-decode.sh: valgrind is missing (apt-get install valgrind)" >&2
    exit 1
fi
cargo build -q --profile bench -p benches --bin decode_once
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/decode_once"
[ -x "$bin" ] || bin="$target/bench/decode_once"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

workloads=("${@:-resp2 resp3}")
printf '| workload | parser | instructions per reply | vs resp-core |\n|---|---|---:|---:|\n'
for w in ${workloads[@]}; do
    parsers=(resp-core rp-range rp-bytes rp-owned)
    [ "$w" = resp2 ] && parsers+=(redis-rs)
    ours=""
    for p in "${parsers[@]}"; do
        valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
            --collect-atstart=no --toggle-collect='decode_once::decode' \
            "$bin" "$w" "$p" > "$out/stdout" 2> "$out/stderr"
        replies="$(awk '{print $1}' "$out/stdout")"
        ir="$(grep -m1 '^summary:' "$out/cg" | awk '{print $2}')"
        per="$(awk -v i="$ir" -v r="$replies" 'BEGIN { printf "%.0f", i / r }')"
        [ -z "$ours" ] && ours="$per"
        ratio="$(awk -v a="$per" -v b="$ours" 'BEGIN { printf "%.2fx", a / b }')"
        printf '| %s | %s | %s | %s |\n' "$w" "$p" "$per" "$ratio"
    done
done
