//! redis-cli-rs: a drop-in `redis-cli`, built on `redis-blocking`.
//!
//! The binary is in `main.rs`; this library holds its parts so that tests
//! and the interactive shell can reach them.
//!
//! # Entry points (stable)
//!
//! * [`options::parse`]: the command line, with `redis-cli` 7.0's spelling,
//!   meaning and error messages.
//! * [`split::split_line`]: how a typed or piped line becomes a command
//!   (`sdssplitargs`, a leading repeat count, `Invalid argument(s)`).
//! * [`session::Session`]: one connection's state (database, `MULTI`,
//!   protocol, output mode) and [`Session::execute`](session::Session::execute),
//!   which runs one command and prints its reply exactly as `redis-cli`
//!   does.
//! * [`run`]: the whole program for one command line (what `main` calls).
//!
//! # Modes of its own
//!
//! Chosen by a first argument that `redis-cli` does not have, so that its
//! command line keeps its meaning (anywhere else they are unknown options,
//! as for `redis-cli`):
//!
//! * `--proxy`: the `redis-proxy` fault-injection proxy
//!   (`redis-cli-rs --proxy --help`).
//! * `--bench [options]`: the rest is read as `redis-benchmark`'s options,
//!   with its default tests, `-q`, `--csv` and summary block, plus an open
//!   loop without coordinated omission (`--rate`), durations, mixes, key
//!   patterns, TOML scenarios, per-command HdrHistograms, `--json` and
//!   `--threshold` (`redis-cli-rs --bench --help`). `--cluster` is refused:
//!   the load tester does not drive the cluster client yet.
//!
//! # Beyond `redis-cli` 7.0
//!
//! * `-t <seconds>` (newer `redis-cli` versions have it for connecting):
//!   the longest wait to connect and for each reply (blocking commands
//!   still wait for their own timeout); decimals allowed, 0 for no limit.
//! * `--rdb FILE` and `--functions-rdb FILE` write a temporary file beside
//!   `FILE` and rename it into place once synced: a failed transfer never
//!   leaves a truncated file under that name.
//!
//! # Known differences from `redis-cli` 7.0
//!
//! * `--version` prints `redis-cli-rs <version> (compatible with redis-cli
//!   7.0)`; `--help`'s first line names redis-cli-rs, and it lists `-t`,
//!   `--bench` and `--proxy`.
//! * RESP3 big numbers print as newer `redis-cli` versions print them
//!   (`(big number) 123...` in standard mode, the digits otherwise) where
//!   7.0 fails with `Unknown reply type: 13`; a NaN double prints as
//!   `(double) nan` where 7.0 fails with a protocol error; RESP3
//!   attributes are skipped and the value they describe is printed, where
//!   7.0 fails with a protocol error.
//! * After a lost connection, the shell reopens it on the database that was
//!   selected (`redis-cli` 7.0 keeps showing `[n]` in the prompt but is
//!   back on database 0).
//! * stdout is written line by line also when it is not a terminal (C's
//!   stdio buffers it whole): the bytes are the same, but a `--stat` or
//!   `SUBSCRIBE` killed by Ctrl-C into a pipe keeps what it printed, and
//!   stdout and stderr sent to one file interleave as written.
//! * `help` in a one-shot command line is sent to the server (the shell
//!   answers it itself).
//! * `--replica` prints every frame of the replication stream. `redis-cli`
//!   7.0 asks for `rdb-filter-only`, which makes the master send a diskless
//!   payload, then sends `REPLCONF ACK 0` with a call that waits for a
//!   reply the master never sends, and so swallows the first frame (the
//!   stream's `SELECT`).
//! * TLS goes through native-tls: `--tls-ciphersuites` (TLS 1.3) is applied
//!   through OpenSSL's configuration; a valid `--tls-ciphers` (TLS 1.2 and
//!   below) is refused with a message, because the connector native-tls
//!   uses sets its own TLS 1.2 list afterwards (see `conn/ciphers.rs`).
//!   Server host names are checked against the certificate (hiredis does
//!   not check them). A failed handshake is reported in hiredis' words
//!   (`SSL_connect failed: <reason>`); other TLS errors in native-tls's.
//! * `--cluster`: random choices (the node `fix` covers an empty slot with,
//!   the anti-affinity swaps of `create` on one host) come from another
//!   generator than glibc's `rand()`, seeded the same way (the time in
//!   seconds); prompts give up at the end of input (exit 1) where
//!   `redis-cli` asks again for ever; a prompt's answer is read a line at
//!   a time, where `redis-cli` mixes `read(2)` and stdio and loses lines
//!   piped in together.
//! * `--intrinsic-latency` measures the same loop, compiled by rustc: its
//!   run counts and averages differ from the C build's.
//! * `--rdb -` from a master with diskless sync writes the RDB alone;
//!   `redis-cli` 7.0 also writes the stream's 40-byte end marker after it
//!   to stdout (it strips the marker only from a file).
//! * `--cluster fix` with no reachable master to cover a free slot with
//!   says so and exits 1; `redis-cli` aborts on an assertion.
#![deny(missing_docs)]

mod conn;
pub mod format;
mod modes;
pub mod options;
pub mod repl;
pub mod session;
pub mod signal;
pub mod split;
mod term;

pub use modes::run;
