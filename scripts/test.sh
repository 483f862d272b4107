#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need
# (Redis server, sentinel and tools, and tcl, from Debian's packages) when
# missing, then checks formatting, lints and the published crates' docs and
# runs every test, including the replay of the fuzz corpora and the
# examples, and Redis's own redis-cli tests against redis-cli-rs
# (scripts/redis-cli-tcl.sh, which fetches them from Debian's source
# package).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
ls /usr/bin/tclsh8.* >/dev/null 2>&1 || need+=(tcl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a default server on 6379 when the service manager allows it;
# tests use their own servers on free ports, so it is harmless either way.

for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" \
    || rustup component add "$component" >/dev/null 2>&1 || true
done

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The published crates' docs, as docs.rs builds them (every feature), with
# broken links and the like as errors.
RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --locked --all-features -p resp-core -p redis-blocking
cargo test --workspace --locked
bash scripts/redis-cli-tcl.sh
