//! A RESP-aware fault-injection proxy for Redis.
//!
//! **In scope**: a TCP proxy in front of one Redis server (or, in
//! cluster-aware mode, every node of a cluster) that understands RESP
//! both ways and injects faults by command and key:
//!
//! * **rules** ([`Rule`]): APISIX's redis faults (`commands`, `key`,
//!   `delay` in seconds), extended with key globs and prefixes, `db`,
//!   client address, `probability`, `skip`/`count`, and the actions
//!   `error`, `drop_reply`, `close_before`, `close_after`,
//!   `truncate_reply` and `push`;
//! * **toxics** ([`Toxic`]): Toxiproxy's connection-level faults with its
//!   names, attributes and units (`latency`, `bandwidth`, `slow_close`,
//!   `timeout`, `reset_peer`, `slicer`, `limit_data`, `down`), per
//!   direction, with per-connection `toxicity`;
//! * **run-time control**: [`Proxy`]'s methods, or a RESP admin listener
//!   that `redis-cli` drives (`FAULT ADD|DEL|LIST|RESET`, `PAUSE`,
//!   `RESUME`, `KILL`, `STATS`); changes apply atomically to existing and
//!   new connections;
//! * **stats** ([`Stats`]): per-command counts and latency, per-fault
//!   counts, and a `log` line per applied fault.
//!
//! Replies are paired with their commands in order; pipelines stay
//! pipelined and order is kept on each connection even when a command is
//! delayed; RESP3 push frames and pub/sub messages pass through as
//! non-replies. See [`config`] for the JSON format.
//!
//! **Not in scope**: TLS (the proxy speaks plain TCP on both sides), Unix
//! sockets, and being fast in production: it is a testing tool, with a
//! thread per connection.
//!
//! This crate is the `--proxy` mode of `redis-cli-rs` and the test
//! harness's proxy (`integration_tests::proxy::Proxy`).
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use redis_proxy::Proxy;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let upstream = "127.0.0.1:6379".parse()?;
//! let proxy = Proxy::builder(upstream)
//!     .config(r#"{"faults": [{"commands": ["get", "ping"], "delay": 0.2},
//!                            {"commands": ["set"], "error": "-TRYAGAIN", "count": 3}],
//!                 "toxics": [{"type": "latency", "attributes": {"latency": 10}}]}"#)?
//!     .start()?;
//! println!("point the client at {}", proxy.addr());
//! proxy.delay_key("slow-key", Duration::from_millis(300));
//! println!("{}", proxy.stats().to_info());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod admin;
mod cluster;
pub mod config;
mod conn;
mod error;
mod faults;
mod listener;
mod outbound;
mod poll;
mod proxy;
mod rewrite;
mod rng;
mod rule;
mod select;
mod session;
mod shared;
mod stats;
mod toxic;

pub use error::Error;
pub use faults::{Fault, FaultSet};
pub use proxy::{Proxy, ProxyBuilder};
pub use rule::{Action, Direction, Rule};
pub use select::{ClientMatch, Glob};
pub use shared::{ConnectionInfo, Route};
pub use stats::{CommandStats, FaultStats, Histogram, Stats};
pub use toxic::{Stream, Toxic, ToxicKind};
