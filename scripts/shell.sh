#!/usr/bin/env bash
# Opens redis-cli-rs on a throwaway redis-server.
#
#   scripts/shell.sh [redis-cli-rs options and arguments...]
#
# Installs redis-server with apt-get when it is missing (as root, or with
# sudo), builds redis-cli-rs (showing cargo's progress when stderr is a
# terminal: a first build takes a minute or two), starts redis-server on a free loopback port in
# a temporary directory, runs `redis-cli-rs -p PORT "$@"` against it and,
# when the shell exits (quit, Ctrl-D, Ctrl-C, or a signal to this script),
# stops the server and removes the directory. The exit status is the
# shell's.
#
# Without a terminal it works as a pipe: `echo PING | scripts/shell.sh`.
#
# Environment: REDIS_SERVER (the server binary, default: redis-server on
# PATH), CARGO_TARGET_DIR (where cargo builds), SHELL_PROFILE=release to
# build with optimizations, REDIS_CLI_RS_BIN (a redis-cli-rs already built:
# nothing is built).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_bin="${REDIS_SERVER:-redis-server}"

say() { printf 'shell.sh: %s\n' "$*" >&2; }

# 1. redis-server
if ! command -v "$server_bin" >/dev/null 2>&1; then
    if [ "$server_bin" != redis-server ]; then
        say "REDIS_SERVER=$server_bin is not an executable"
        exit 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        say "redis-server is missing; install it (apt-get install redis-server) as root"
        exit 1
    fi
    say "installing redis-server with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends redis-server >&2
fi

# 2. redis-cli-rs
if [ -n "${REDIS_CLI_RS_BIN:-}" ]; then
    cli="$REDIS_CLI_RS_BIN"
else
    profile="${SHELL_PROFILE:-debug}"
    cli="${CARGO_TARGET_DIR:-$root/target}/$profile/redis-cli-rs"
    case "$cli" in /*) ;; *) cli="$root/$cli" ;; esac
    build=(cargo build -p redis-cli-rs --manifest-path "$root/Cargo.toml")
    [ "$profile" = release ] && build+=(--release)
    if [ -t 2 ]; then
        # On a terminal, cargo's own progress ("Compiling ...", the bar):
        # a first build takes a minute or more, which silence would hide.
        [ -x "$cli" ] || say "building redis-cli-rs ($profile) for the first time; this takes a minute or two"
        "${build[@]}" >&2
    else
        "${build[@]}" --quiet >&2
    fi
fi

# 3. a server on a free port, in its own session so that the Ctrl-C meant
# for the shell (leaving SUBSCRIBE, MONITOR) does not stop it.
dir="$(mktemp -d "${TMPDIR:-/tmp}/redis-cli-rs-shell.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
# A Ctrl-C reaches the shell too, which decides what it means; this script
# only waits for the shell and then cleans up. (A handler, not an ignore:
# ignored signals would stay ignored in the shell.)
trap ':' INT

ping() { # ping PORT: whether a server answers PONG there
    local reply=""
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 1 reply <&3 || true
    exec 3>&-
    [ "${reply%$'\r'}" = "+PONG" ]
}

port=""
for _ in $(seq 20); do
    candidate=$((20000 + RANDOM % 40000))
    ping "$candidate" && continue # taken by another server
    setsid "$server_bin" --port "$candidate" --bind 127.0.0.1 --dir "$dir" \
        --save '' --appendonly no --daemonize no --logfile "$dir/redis.log" \
        </dev/null >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
        if ping "$candidate"; then
            port="$candidate"
            break
        fi
        kill -0 "$server_pid" 2>/dev/null || break # the port was taken
        sleep 0.1
    done
    [ -n "$port" ] && break
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
done
if [ -z "$port" ]; then
    say "could not start $server_bin (log: $(cat "$dir/redis.log" 2>/dev/null | tail -3))"
    exit 1
fi
[ -t 0 ] && say "redis-server on 127.0.0.1:$port (pid $server_pid, dir $dir); quit to stop it"

# 4. the shell
status=0
"$cli" -p "$port" "$@" || status=$?
exit "$status"
