//! redis-cli-rs: a drop-in `redis-cli`, built on `redis-blocking`.
//!
//! The binary is in `main.rs`; this library holds its parts so that tests
//! can reach them.
#![deny(missing_docs)]

pub mod repl;
