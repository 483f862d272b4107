#!/usr/bin/env bash
# Redis's own redis-cli tests (tests/integration/redis-cli.tcl) against
# redis-cli-rs: `./runtest --single integration/redis-cli` with src/redis-cli
# pointing at redis-cli-rs and src/redis-server at the installed server.
#
#   scripts/redis-cli-tcl.sh
#
# Redis's test suite is not part of this repository: it is taken at test time
# from Debian's source package of the installed redis-tools (7.0.15 on
# bookworm), with `apt-get source --download-only`, using deb-src entries
# derived from this machine's own apt sources in a private apt directory (the
# system's apt configuration is not touched). The tests/ tree is kept under
# the cargo target directory, so later runs download nothing.
#
# Installs tcl with apt-get when tclsh is missing (as root, or with sudo).
# Exits non-zero unless every test passes; prints the pass count.
#
# Environment: CARGO_TARGET_DIR (where cargo builds), REDIS_CLI_RS_BIN (a
# redis-cli-rs already built: nothing is built), REDIS_SERVER (the server
# binary, default: redis-server on PATH), REDIS_TCL_EXPECT (how many tests
# must pass, default 31).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
expect="${REDIS_TCL_EXPECT:-31}"
say() { printf 'redis-cli-tcl: %s\n' "$*" >&2; }
apt_dir=""
run=""
cleanup() { rm -rf "$apt_dir" "$run"; }
trap cleanup EXIT

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. tclsh, which runtest needs (tclsh8.5 or newer).
if ! ls /usr/bin/tclsh8.* >/dev/null 2>&1; then
    say "installing tcl"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq >&2
    as_root apt-get install -y -qq --no-install-recommends tcl >&2
fi

# 2. Redis's tests/, from the source package of the installed redis-tools.
version="$(dpkg-query -W -f='${Version}' redis-tools 2>/dev/null || true)"
if [ -z "$version" ]; then
    say "redis-tools is not installed (apt-get install redis-tools)"
    exit 1
fi
cache="$target/redis-tests/${version//[:~]/_}"
if [ ! -f "$cache/tests/integration/redis-cli.tcl" ]; then
    apt_dir="$(mktemp -d "${TMPDIR:-/tmp}/redis-cli-tcl-apt.XXXXXX")"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
        "$apt_dir/sources.list.d" "$apt_dir/download"
    # deb-src twins of the machine's Debian entries, one-line and deb822
    # forms alike (other vendors' repositories rarely publish sources).
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n -E 's/^[[:space:]]*deb[[:space:]]+(.*debian.*)$/deb-src \1/p' "$f"
    done >"$apt_dir/sources.list.d/derived.list"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        grep -qi 'debian' "$f" || continue
        sed -E 's/^Types:.*$/Types: deb-src/' "$f"
        echo
    done >"$apt_dir/sources.list.d/derived.sources"
    if [ ! -s "$apt_dir/sources.list.d/derived.list" ] && [ ! -s "$apt_dir/sources.list.d/derived.sources" ]; then
        say "no Debian entry in /etc/apt/sources.list{,.d} to derive a deb-src entry from"
        exit 1
    fi
    apt_opts=(-o Dir::Etc::SourceList=/dev/null
        -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
        -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
        -o APT::Sandbox::User=root)
    say "fetching redis $version sources (tests only are kept)"
    apt-get "${apt_opts[@]}" -qq update >&2 || say "apt-get update reported errors; trying anyway"
    (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" -qq source --download-only "redis=$version" >&2)
    orig="$(ls "$apt_dir"/download/redis_*.orig.tar.* | head -1)"
    mkdir -p "$cache.partial"
    tar -xf "$orig" -C "$cache.partial" --strip-components=1 --wildcards '*/runtest' '*/tests/*'
    rm -rf "$cache"
    mv "$cache.partial" "$cache"
fi

# 3. redis-cli-rs.
if [ -n "${REDIS_CLI_RS_BIN:-}" ]; then
    cli="$REDIS_CLI_RS_BIN"
else
    cargo build --quiet -p redis-cli-rs --manifest-path "$root/Cargo.toml" >&2
    cli="$target/debug/redis-cli-rs"
fi
server="$(command -v "${REDIS_SERVER:-redis-server}")"

# 4. A throwaway tree: runtest, tests/, src/redis-server and src/redis-cli.
run="$(mktemp -d "${TMPDIR:-/tmp}/redis-cli-tcl.XXXXXX")"
cp -r "$cache/runtest" "$cache/tests" "$run/"
mkdir "$run/src"
ln -s "$server" "$run/src/redis-server"
ln -s "$cli" "$run/src/redis-cli"
log="$run/runtest.log"
status=0
(cd "$run" && ./runtest --single integration/redis-cli --clients 1 --timeout 600) >"$log" 2>&1 || status=$?
plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
passed="$(grep -c '^\[ok\]' <<<"$plain" || true)"
failed="$(grep -c '^\[err\]\|^\[exception\]' <<<"$plain" || true)"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -ne "$expect" ]; then
    grep -E '^\[(err|exception)\]|^Expected|^\*\*\*' <<<"$plain" >&2 || true
    say "FAILED: $passed passed, $failed failed (want $expect), runtest exit $status; log tail:"
    tail -20 <<<"$plain" >&2
    exit 1
fi
echo "redis-cli-tcl: Redis ${version} tests/integration/redis-cli.tcl: $passed of $expect passed with redis-cli-rs"
