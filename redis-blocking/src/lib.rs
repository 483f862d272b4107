//! A blocking Redis client built on [`resp_core`]. Work in progress.
#![deny(missing_docs)]

pub use resp_core;
