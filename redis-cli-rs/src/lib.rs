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
//! # Known differences from `redis-cli` 7.0
//!
//! * `--version` prints `redis-cli-rs <version> (compatible with redis-cli
//!   7.0)`.
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
//! * Not implemented (accepted options are refused with a clear message):
//!   `--cluster`, `--replica`, `--rdb`, `--functions-rdb`, `--hotkeys`,
//!   `--lru-test`, `--intrinsic-latency`, `--latency-dist`, `--ldb`,
//!   `--tls-ciphers`, `--tls-ciphersuites`.
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
